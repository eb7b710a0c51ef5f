/**
 * The first schema: rooms with their epoch and top offset, messages keyed by
 * (room, offset), listeners counted per process with a lease per process,
 * and one function per store operation, so each is one round trip and one
 * transaction. A room's row is the lock that orders its writes: appends,
 * opens and closes of one room queue on it; other rooms never wait.
 *
 * Notifications are wake-ups only (a type, the epoch, an offset or a user
 * id): listeners read messages from the table. Presence and deletion notify
 * inside their transaction (sent at commit, in commit order). A message's
 * notice is sent by the store right after the commit, outside it: a
 * transaction that notifies holds a database-wide lock through its commit's
 * flush, so notifying inside every append allowed one commit per disk flush
 * for the whole database (bench/submits.ts measured 2.6x fewer submits).
 * A notice lost that way is covered by the room's next one (the bus reads
 * everything after what it delivered) or the feeds' position check.
 */
export const ROOMS_SCHEMA = `
CREATE TABLE rooms (
  room_id     text PRIMARY KEY,
  name        text NOT NULL,
  epoch       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_offset bigint NOT NULL DEFAULT 0
);

CREATE TABLE messages (
  room_id    text NOT NULL REFERENCES rooms ON DELETE CASCADE,
  msg_offset bigint NOT NULL,
  user_id    text NOT NULL,
  body       text NOT NULL,
  sent_at    text NOT NULL,
  stored_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, msg_offset)
);
-- Age retention deletes through this index instead of scanning every room.
CREATE INDEX messages_stored_at ON messages (stored_at);

CREATE TABLE processes (
  process_id  text PRIMARY KEY,
  lease_until timestamptz NOT NULL
);

CREATE TABLE listeners (
  room_id     text NOT NULL REFERENCES rooms ON DELETE CASCADE,
  listener_id text NOT NULL,
  user_id     text,
  process_id  text NOT NULL,
  PRIMARY KEY (room_id, listener_id)
);
CREATE INDEX listeners_user ON listeners (room_id, user_id);
CREATE INDEX listeners_process ON listeners (process_id);

-- The room's notification channel; the schema is part of it, so deployments
-- sharing one database never hear each other.
CREATE FUNCTION chat_channel(p_room text) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT 'chat_' || md5(current_schema() || ':' || p_room) $$;

CREATE FUNCTION chat_notify(p_room text, p_event jsonb) RETURNS void
LANGUAGE sql AS $$ SELECT pg_notify(chat_channel(p_room), p_event::text) $$;

-- Creates the room when missing; true when this call created it.
CREATE FUNCTION chat_ensure(p_room text, p_name text, p_epoch text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rooms (room_id, name, epoch) VALUES (p_room, p_name, p_epoch) ON CONFLICT DO NOTHING;
  RETURN FOUND;
END $$;

CREATE FUNCTION chat_members(p_room text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT user_id), '{}') FROM listeners
  WHERE room_id = p_room AND user_id IS NOT NULL
$$;

CREATE FUNCTION chat_append(
  p_room text, p_epoch text, p_user text, p_body text, p_sent_at text, p_limit bigint,
  OUT epoch text, OUT msg_offset bigint, OUT created boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch text;
  v_offset bigint;
BEGIN
  created := chat_ensure(p_room, p_room, p_epoch);
  UPDATE rooms r SET last_offset = r.last_offset + 1 WHERE r.room_id = p_room
    RETURNING r.epoch, r.last_offset INTO v_epoch, v_offset;
  INSERT INTO messages (room_id, msg_offset, user_id, body, sent_at)
    VALUES (p_room, v_offset, p_user, p_body, p_sent_at);
  DELETE FROM messages m WHERE m.room_id = p_room AND m.msg_offset <= v_offset - p_limit;
  epoch := v_epoch;
  msg_offset := v_offset;
END $$;

CREATE FUNCTION chat_open(
  p_room text, p_epoch text, p_listener text, p_user text, p_process text,
  OUT epoch text, OUT last_offset bigint, OUT members text[], OUT created boolean)
LANGUAGE plpgsql AS $$
BEGIN
  created := chat_ensure(p_room, p_room, p_epoch);
  SELECT r.epoch, r.last_offset INTO epoch, last_offset FROM rooms r WHERE r.room_id = p_room FOR UPDATE;
  IF p_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners l WHERE l.room_id = p_room AND l.user_id = p_user
  ) THEN
    PERFORM chat_notify(p_room, jsonb_build_object('t', 'j', 'e', epoch, 'u', p_user));
  END IF;
  INSERT INTO listeners (room_id, listener_id, user_id, process_id)
    VALUES (p_room, p_listener, p_user, p_process);
  members := chat_members(p_room);
END $$;

-- Uncounts one listener (when it still counts); true when the room was dropped.
CREATE FUNCTION chat_release(p_room text, p_listener text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch text;
  v_top bigint;
  v_user text;
BEGIN
  SELECT epoch, last_offset INTO v_epoch, v_top FROM rooms WHERE room_id = p_room FOR UPDATE;
  IF NOT FOUND THEN RETURN false; END IF;
  DELETE FROM listeners WHERE room_id = p_room AND listener_id = p_listener RETURNING user_id INTO v_user;
  IF NOT FOUND THEN RETURN false; END IF;
  IF v_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners WHERE room_id = p_room AND user_id = v_user
  ) THEN
    PERFORM chat_notify(p_room, jsonb_build_object('t', 'l', 'e', v_epoch, 'u', v_user));
  END IF;
  IF v_top = 0 AND NOT EXISTS (SELECT 1 FROM listeners WHERE room_id = p_room) THEN
    DELETE FROM rooms WHERE room_id = p_room;
    RETURN true;
  END IF;
  RETURN false;
END $$;

CREATE FUNCTION chat_delete(p_room text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch text;
BEGIN
  DELETE FROM rooms WHERE room_id = p_room RETURNING epoch INTO v_epoch;
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM chat_notify(p_room, jsonb_build_object('t', 'd', 'e', v_epoch));
  RETURN true;
END $$;

CREATE FUNCTION chat_rotate(p_room text, p_epoch text, p_next text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rooms SET epoch = p_next, last_offset = 0 WHERE room_id = p_room AND epoch = p_epoch;
  IF FOUND THEN DELETE FROM messages WHERE room_id = p_room; END IF;
END $$;

-- Renews a process's lease, then releases the listeners of processes whose
-- lease ran out (their users get 'left'), a room at a time in id order.
-- False when this process's own lease had run out (or was never taken): its
-- listeners may have been released, and the caller registers them again.
CREATE FUNCTION chat_heartbeat(p_process text, p_lease_ms bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_listener record;
  v_renewed boolean;
BEGIN
  SELECT lease_until >= now() INTO v_renewed FROM processes WHERE process_id = p_process FOR UPDATE;
  INSERT INTO processes (process_id, lease_until)
    VALUES (p_process, now() + p_lease_ms * interval '1 millisecond')
    ON CONFLICT (process_id) DO UPDATE SET lease_until = EXCLUDED.lease_until;
  FOR v_listener IN
    SELECT l.room_id, l.listener_id FROM listeners l JOIN processes p USING (process_id)
    WHERE p.lease_until < now() ORDER BY l.room_id, l.listener_id
  LOOP
    PERFORM chat_release(v_listener.room_id, v_listener.listener_id);
  END LOOP;
  DELETE FROM processes p WHERE p.lease_until < now()
    AND NOT EXISTS (SELECT 1 FROM listeners l WHERE l.process_id = p.process_id);
  RETURN coalesce(v_renewed, false);
END $$;

-- Counts a listener again after its process's lease ran out, when the room
-- still exists in the epoch the listener was opened in and no longer counts it.
CREATE FUNCTION chat_reopen(p_room text, p_epoch text, p_listener text, p_user text, p_process text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch text;
BEGIN
  SELECT epoch INTO v_epoch FROM rooms WHERE room_id = p_room FOR UPDATE;
  IF v_epoch IS DISTINCT FROM p_epoch
    OR EXISTS (SELECT 1 FROM listeners WHERE room_id = p_room AND listener_id = p_listener) THEN
    RETURN;
  END IF;
  IF p_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners WHERE room_id = p_room AND user_id = p_user
  ) THEN
    PERFORM chat_notify(p_room, jsonb_build_object('t', 'j', 'e', v_epoch, 'u', p_user));
  END IF;
  INSERT INTO listeners (room_id, listener_id, user_id, process_id)
    VALUES (p_room, p_listener, p_user, p_process);
END $$;
`;
