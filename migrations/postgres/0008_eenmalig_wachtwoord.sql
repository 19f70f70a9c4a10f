-- A one-time password (web.md "Users, roles, sessions") must be changed at
-- the first login: until then the session reaches only the change form.
-- Existing users keep the password they have.
ALTER TABLE gebruikers ADD COLUMN eenmalig bigint NOT NULL DEFAULT 0;
