/**
 * A room's `created_at` is the database's clock and a message's `sent_at` the
 * submitting process's, stamped before the store call: a room its first
 * message created could look created after that message was sent. The first
 * message of a room's life (offset 1) moves `created_at` back to its
 * `sent_at` when it is earlier; the trigger's WHEN keeps other inserts free.
 */
export const CREATED_AT_SCHEMA = `
CREATE FUNCTION chat_first_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rooms r SET created_at = LEAST(r.created_at, NEW.sent_at::timestamptz)
    WHERE r.room_id = NEW.room_id;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_first AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.msg_offset = 1) EXECUTE FUNCTION chat_first_message();
`;
