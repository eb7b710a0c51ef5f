/**
 * The first schema: rooms with their epoch and top offset, messages keyed by
 * (room, offset), listeners counted per process with a lease per process,
 * and one function per store operation, so each is one round trip and one
 * transaction. A room's row is the lock that orders its writes: appends,
 * opens and closes of one room queue on it; other rooms never wait.
 *
 * The functions notify nobody themselves: they return what happened
 * (joined, left, deleted, the new offset), and the store announces it on its
 * bus after the commit (LISTEN/NOTIFY wake-ups, or Redis with --redis). A
 * transaction that notifies holds a database-wide lock through its commit's
 * flush: notifying inside every append allowed one commit per disk flush for
 * the whole database (bench/submits.ts measured 2.6x fewer submits). An
 * announcement lost between commit and bus (the process died) is made up for
 * by the next one (the bus reads everything after what it delivered) or by
 * the feeds' position check.
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

-- Creates the room when missing and locks its row until the transaction
-- ends; true when this call created it. A room dropped by a concurrent close
-- between the insert and the lock is created again (a new life, new epoch).
CREATE FUNCTION chat_ensure(p_room text, p_name text, p_epoch text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_created boolean;
BEGIN
  LOOP
    INSERT INTO rooms (room_id, name, epoch) VALUES (p_room, p_name, p_epoch) ON CONFLICT DO NOTHING;
    v_created := FOUND;
    PERFORM 1 FROM rooms WHERE room_id = p_room FOR UPDATE;
    IF FOUND THEN RETURN v_created; END IF;
  END LOOP;
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

-- joined: this listener is its user's first in the room (announce it).
CREATE FUNCTION chat_open(
  p_room text, p_epoch text, p_listener text, p_user text, p_process text,
  OUT epoch text, OUT last_offset bigint, OUT members text[], OUT created boolean, OUT joined boolean)
LANGUAGE plpgsql AS $$
BEGIN
  created := chat_ensure(p_room, p_room, p_epoch);
  SELECT r.epoch, r.last_offset INTO epoch, last_offset FROM rooms r WHERE r.room_id = p_room FOR UPDATE;
  joined := p_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners l WHERE l.room_id = p_room AND l.user_id = p_user
  );
  INSERT INTO listeners (room_id, listener_id, user_id, process_id)
    VALUES (p_room, p_listener, p_user, p_process);
  members := chat_members(p_room);
END $$;

-- Uncounts one listener (when it still counts). left_user: the user who
-- left with it (announce it, in epoch); dropped: the room went with it.
CREATE FUNCTION chat_release(
  p_room text, p_listener text, OUT epoch text, OUT left_user text, OUT dropped boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_top bigint;
  v_user text;
BEGIN
  dropped := false;
  SELECT r.epoch, r.last_offset INTO epoch, v_top FROM rooms r WHERE r.room_id = p_room FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  DELETE FROM listeners l WHERE l.room_id = p_room AND l.listener_id = p_listener RETURNING l.user_id INTO v_user;
  IF NOT FOUND THEN RETURN; END IF;
  IF v_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners l WHERE l.room_id = p_room AND l.user_id = v_user
  ) THEN
    left_user := v_user;
  END IF;
  IF v_top = 0 AND NOT EXISTS (SELECT 1 FROM listeners l WHERE l.room_id = p_room) THEN
    DELETE FROM rooms r WHERE r.room_id = p_room;
    dropped := true;
  END IF;
END $$;

-- The deleted room's epoch (announce it), or null when there was no such room.
CREATE FUNCTION chat_delete(p_room text) RETURNS text
LANGUAGE sql AS $$ DELETE FROM rooms WHERE room_id = p_room RETURNING epoch $$;

CREATE FUNCTION chat_rotate(p_room text, p_epoch text, p_next text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE rooms SET epoch = p_next, last_offset = 0 WHERE room_id = p_room AND epoch = p_epoch;
  IF FOUND THEN DELETE FROM messages WHERE room_id = p_room; END IF;
END $$;

-- Renews a process's lease, then releases the listeners of processes whose
-- lease ran out, a room at a time in id order. renewed is false when this
-- process's own lease had run out (or was never taken): its listeners may
-- have been released, and the caller registers them again. lefts: the users
-- who left, as [{room, epoch, user}] (announce them).
CREATE FUNCTION chat_heartbeat(p_process text, p_lease_ms bigint, OUT renewed boolean, OUT lefts jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_listener record;
  v_released record;
BEGIN
  lefts := '[]';
  SELECT p.lease_until >= now() INTO renewed FROM processes p WHERE p.process_id = p_process FOR UPDATE;
  renewed := coalesce(renewed, false);
  INSERT INTO processes (process_id, lease_until)
    VALUES (p_process, now() + p_lease_ms * interval '1 millisecond')
    ON CONFLICT (process_id) DO UPDATE SET lease_until = EXCLUDED.lease_until;
  FOR v_listener IN
    SELECT l.room_id, l.listener_id FROM listeners l JOIN processes p USING (process_id)
    WHERE p.lease_until < now() ORDER BY l.room_id, l.listener_id
  LOOP
    SELECT * INTO v_released FROM chat_release(v_listener.room_id, v_listener.listener_id);
    IF v_released.left_user IS NOT NULL THEN
      lefts := lefts || jsonb_build_object(
        'room', v_listener.room_id, 'epoch', v_released.epoch, 'user', v_released.left_user);
    END IF;
  END LOOP;
  DELETE FROM processes p WHERE p.lease_until < now()
    AND NOT EXISTS (SELECT 1 FROM listeners l WHERE l.process_id = p.process_id);
END $$;

-- Counts a listener again after its process's lease ran out, when the room
-- still exists in the epoch the listener was opened in and no longer counts
-- it. True when its user joined with it (announce it).
CREATE FUNCTION chat_reopen(p_room text, p_epoch text, p_listener text, p_user text, p_process text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch text;
  v_joined boolean;
BEGIN
  SELECT epoch INTO v_epoch FROM rooms WHERE room_id = p_room FOR UPDATE;
  IF v_epoch IS DISTINCT FROM p_epoch
    OR EXISTS (SELECT 1 FROM listeners WHERE room_id = p_room AND listener_id = p_listener) THEN
    RETURN false;
  END IF;
  v_joined := p_user IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM listeners WHERE room_id = p_room AND user_id = p_user
  );
  INSERT INTO listeners (room_id, listener_id, user_id, process_id)
    VALUES (p_room, p_listener, p_user, p_process);
  RETURN v_joined;
END $$;
`;
