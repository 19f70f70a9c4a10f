// The hub allocates many small, short-lived buffers per message (XML in and
// out, JSON of claims, SQL parameters); mimalloc serves them with less
// contention and fragmentation than glibc's malloc (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    clearinghuis::cli::main()
}
