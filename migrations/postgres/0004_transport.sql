-- Issue 16: an AMQP message without `user_id` is refused A01, a directory
-- file has none at all; replay can only tell them apart if the log says how
-- a message came. 'amqp' for a message taken from a queue, NULL for a file.
ALTER TABLE berichtenlog ADD COLUMN transport TEXT;
