-- A TOTP code is good once (RFC 6238 §5.2): the last time step a user's
-- code was accepted for, so the same code (or an older one) is refused.
ALTER TABLE gebruikers ADD COLUMN totp_stap bigint;
