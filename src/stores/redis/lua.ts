/**
 * The Lua scripts of the Redis store. Each one is one atomic step on one
 * room (its six keys, in `scriptKeys` order), so every process sees the same
 * offsets in the same order, and presence never double-counts. Times come
 * from Redis (`TIME`), so processes' clocks never have to agree.
 *
 * Bus payloads are compact JSON: `t` type (m, j, l, d), `e` epoch, and for a
 * message `o` offset, `u` user, `x` text, `s` sentAt; `u` user for presence.
 */

const PRELUDE = `
local meta, log, listeners, members, leases, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function publish(event)
  redis.call('PUBLISH', channel, cjson.encode(event))
end

-- Creates the room when it does not exist; 1 when it did. Leftovers of a lost
-- life (keys evicted apart from meta) are dropped, so no offset is reused.
local function ensure(epoch, name, created_at)
  if redis.call('EXISTS', meta) == 1 then return 0 end
  redis.call('DEL', log, listeners, members, leases)
  redis.call('HSET', meta, 'epoch', epoch, 'top', 0, 'name', name, 'createdAt', created_at)
  return 1
end

local function uncount(user, epoch)
  if user == '' then return end
  if redis.call('HINCRBY', members, user, -1) <= 0 then
    redis.call('HDEL', members, user)
    publish({t = 'l', e = epoch, u = user})
  end
end

-- Uncounts the listeners of processes whose lease expired; returns how many.
local function sweep(epoch)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now_ms())
  if #expired == 0 then return 0 end
  local dead = {}
  for _, pid in ipairs(expired) do
    dead[pid] = true
    redis.call('ZREM', leases, pid)
  end
  local removed = 0
  local all = redis.call('HGETALL', listeners)
  for i = 1, #all, 2 do
    local pid = string.match(all[i], '^([^.]+)%.')
    if pid and dead[pid] then
      redis.call('HDEL', listeners, all[i])
      uncount(all[i + 1], epoch)
      removed = removed + 1
    end
  end
  return removed
end

-- Drops a room with no listeners and no messages; 1 when it did.
local function reclaim()
  if redis.call('HLEN', listeners) == 0 and redis.call('HGET', meta, 'top') == '0' then
    redis.call('DEL', meta, log, listeners, members, leases)
    return 1
  end
  return 0
end
`;

/** ARGV: epoch candidate, name, createdAt, user, text, sentAt, history size → {epoch, offset, created}. */
export const APPEND = `${PRELUDE}
local created = ensure(ARGV[1], ARGV[2], ARGV[3])
local epoch = redis.call('HGET', meta, 'epoch')
local top = redis.call('HINCRBY', meta, 'top', 1)
redis.call('XADD', log, 'MAXLEN', ARGV[7], top .. '-0', 'u', ARGV[4], 't', ARGV[5], 's', ARGV[6])
publish({t = 'm', e = epoch, o = top, u = ARGV[4], x = ARGV[5], s = ARGV[6]})
return {epoch, top, created}
`;

/** ARGV: after offset ('' for none), limit, latest ('1'/'0') → {epoch, top, firstOffset, entries} or nil. */
export const READ = `${PRELUDE}
if redis.call('EXISTS', meta) == 0 then return false end
local epoch = redis.call('HGET', meta, 'epoch')
local top = tonumber(redis.call('HGET', meta, 'top'))
local first_offset = top + 1
local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
if #first > 0 then first_offset = tonumber(string.match(first[1][1], '^(%d+)')) end
local entries = {}
if tonumber(ARGV[2]) > 0 then
  if ARGV[1] ~= '' then
    entries = redis.call('XRANGE', log, '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
  elseif ARGV[3] == '1' then
    entries = redis.call('XREVRANGE', log, '+', '-', 'COUNT', ARGV[2])
  else
    entries = redis.call('XRANGE', log, '-', '+', 'COUNT', ARGV[2])
  end
end
return {epoch, top, first_offset, entries}
`;

/**
 * ARGV: create ('1'/'0'), epoch candidate, name, createdAt →
 * {name, createdAt, listeners, members, messageCount, top, epoch, created} or nil.
 */
export const STATE = `${PRELUDE}
local created = 0
if ARGV[1] == '1' then created = ensure(ARGV[2], ARGV[3], ARGV[4]) end
if redis.call('EXISTS', meta) == 0 then return false end
local epoch = redis.call('HGET', meta, 'epoch')
if sweep(epoch) > 0 and reclaim() == 1 then return false end
local m = redis.call('HMGET', meta, 'name', 'createdAt', 'top')
return {m[1], m[2], redis.call('HLEN', listeners), redis.call('HKEYS', members), redis.call('XLEN', log), tonumber(m[3]), epoch, created}
`;

/**
 * ARGV: epoch candidate, name, createdAt, listener id, user ('' for none),
 * process id, lease ms → {epoch, top, members, created}.
 */
export const OPEN = `${PRELUDE}
local created = ensure(ARGV[1], ARGV[2], ARGV[3])
local epoch = redis.call('HGET', meta, 'epoch')
sweep(epoch)
redis.call('ZADD', leases, now_ms() + tonumber(ARGV[7]), ARGV[6])
if redis.call('HSETNX', listeners, ARGV[4], ARGV[5]) == 1 and ARGV[5] ~= '' then
  if redis.call('HINCRBY', members, ARGV[5], 1) == 1 then publish({t = 'j', e = epoch, u = ARGV[5]}) end
end
return {epoch, tonumber(redis.call('HGET', meta, 'top')), redis.call('HKEYS', members), created}
`;

/** ARGV: listener id → 1 when the room was dropped (no listeners, no messages), else 0. */
export const CLOSE = `${PRELUDE}
if redis.call('EXISTS', meta) == 0 then return 0 end
local epoch = redis.call('HGET', meta, 'epoch')
sweep(epoch)
local user = redis.call('HGET', listeners, ARGV[1])
if user then
  redis.call('HDEL', listeners, ARGV[1])
  uncount(user, epoch)
end
return reclaim()
`;

/** No ARGV → 1 when the room existed (and `deleted` was published), else 0. */
export const DELETE = `${PRELUDE}
if redis.call('EXISTS', meta) == 0 then return 0 end
local epoch = redis.call('HGET', meta, 'epoch')
redis.call('DEL', meta, log, listeners, members, leases)
publish({t = 'd', e = epoch})
return 1
`;

/** ARGV: expected epoch, new epoch → 1 when rotated. */
export const ROTATE = `${PRELUDE}
if redis.call('HGET', meta, 'epoch') ~= ARGV[1] then return 0 end
redis.call('HSET', meta, 'epoch', ARGV[2], 'top', 0)
redis.call('DEL', log)
return 1
`;

/**
 * ARGV: process id, lease ms → 0 no such room, 1 renewed, 2 renewed and the
 * room was dropped, 3 renewed after the lease had run out (other processes
 * may have uncounted this one's listeners: the caller runs REOPEN).
 */
export const HEARTBEAT = `${PRELUDE}
if redis.call('EXISTS', meta) == 0 then return 0 end
local lease = redis.call('ZSCORE', leases, ARGV[1])
local lapsed = not lease or tonumber(lease) < now_ms()
redis.call('ZADD', leases, now_ms() + tonumber(ARGV[2]), ARGV[1])
local swept = sweep(redis.call('HGET', meta, 'epoch'))
if lapsed then return 3 end
if swept > 0 and reclaim() == 1 then return 2 end
return 1
`;

/**
 * ARGV: epoch, then pairs of listener id and user ('' for none): counts again
 * the listeners the room no longer counts, when it is still in that epoch.
 */
export const REOPEN = `${PRELUDE}
if redis.call('HGET', meta, 'epoch') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do
  local user = ARGV[i + 1]
  if redis.call('HSETNX', listeners, ARGV[i], user) == 1 and user ~= '' then
    if redis.call('HINCRBY', members, user, 1) == 1 then publish({t = 'j', e = ARGV[1], u = user}) end
  end
end
return 1
`;
