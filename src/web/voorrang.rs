//! The dispatcher goes first (web.md "Targets": its rate drops by at most
//! 10 % while 20 API clients read as fast as they can). Both share the
//! machine's cores and the store's server; a page can wait a second, a
//! participant's message should not.
//!
//! While the dispatcher has had work within the last 250 ms, requests to
//! `/api/` take turns on one lane, and after a request that took `d` the
//! lane stays closed for `d × WACHTFACTOR`: the web part then uses at most
//! 1 / (1 + WACHTFACTOR) of one lane's time, whatever the number of clients.
//! When the dispatcher is idle the lane is open and requests run side by
//! side. Health, readiness and metrics never wait (a monitor must see a
//! busy hub).

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::metingen::Metingen;

/// Lane closed for this many times a request's own duration.
pub const WACHTFACTOR: u32 = 9;
/// The dispatcher counts as busy this long after a round with work.
const DRUK_BINNEN: Duration = Duration::from_millis(250);

#[derive(Debug)]
pub struct Voorrang {
    /// When the lane opens again; holding the lock is holding the lane.
    open_om: tokio::sync::Mutex<Instant>,
}

impl Default for Voorrang {
    fn default() -> Self {
        Voorrang {
            open_om: tokio::sync::Mutex::new(Instant::now()),
        }
    }
}

/// Middleware on every `/api/` route.
pub async fn beurt(
    State((voorrang, metingen)): State<(Arc<Voorrang>, Arc<Metingen>)>,
    req: Request,
    next: Next,
) -> Response {
    if !metingen.druk(DRUK_BINNEN) {
        return next.run(req).await;
    }
    // tokio's Mutex queues fairly: clients take turns in arrival order.
    let mut open_om = voorrang.open_om.lock().await;
    tokio::time::sleep_until(*open_om).await;
    let begin = Instant::now();
    let antwoord = next.run(req).await;
    *open_om = Instant::now() + begin.elapsed() * WACHTFACTOR;
    antwoord
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    /// Five clients at once on a handler that takes 10 ms (tokio's paused
    /// clock: exact and instant). Returns when each was answered, in ms.
    async fn vijf_tegelijk(druk: bool) -> Vec<u128> {
        let metingen = Arc::new(Metingen::new());
        if druk {
            metingen.werk_gedaan();
        }
        let app = Router::new()
            .route(
                "/api/v1/x",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    "x"
                }),
            )
            .route_layer(axum::middleware::from_fn_with_state(
                (Arc::new(Voorrang::default()), metingen),
                beurt,
            ));
        let begin = Instant::now();
        let taken: Vec<_> = (0..5)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move {
                    let r = app
                        .oneshot(
                            Request::get("/api/v1/x")
                                .body(Body::empty())
                                .expect("request"),
                        )
                        .await
                        .expect("answer");
                    assert_eq!(r.status(), 200);
                    begin.elapsed().as_millis()
                })
            })
            .collect();
        let mut klaar = Vec::new();
        for t in taken {
            klaar.push(t.await.expect("task"));
        }
        klaar.sort();
        klaar
    }

    #[tokio::test(start_paused = true)]
    async fn een_drukke_dispatcher_laat_de_api_om_beurten_en_met_rust_lopen() {
        // Each turn: 10 ms of work, then the lane rests 9 × 10 ms.
        assert_eq!(vijf_tegelijk(true).await, vec![10, 110, 210, 310, 410]);
    }

    #[tokio::test(start_paused = true)]
    async fn een_stille_dispatcher_laat_de_api_vrij() {
        assert_eq!(vijf_tegelijk(false).await, vec![10, 10, 10, 10, 10]);
    }
}
