-- Shared by every agent script (prepended to it). Every agent script takes
--   KEYS[1]  the agent's hash: presence, wrapUpUntil, setAt, callsToday, lastCallEndedAt, v
--   KEYS[2]  the agent's calls hash: call id -> "r|<process id>|<seq>" (ringing) or "t|<process id>|<seq>"
--            (talking); seq counts the writes of that process, so a release it decided before this
--            hold was written (a retried write arriving late) is known as stale
--   KEYS[3]  the agent's leases sorted set: call id -> when its lease ends (Redis time, ms)
--   KEYS[4]  the agent's recently finished calls: call id -> when (Redis time, ms); a write about
--            one of them that arrives late (retried after a timeout) must not bring it back
--   ARGV[1]  the agent's id
--   ARGV[2]  the channel the agent's new state is published on
--   ARGV[3]  now on the calling process's clock (ms), which wrap-up times are counted on
-- and its own arguments from ARGV[4]. A state is published as JSON:
--   { id, v, presence, wrapUpUntil (0: none), setAt, callsToday, lastCallEndedAt (0: none), calls = { [call id] = "r|…" } }
local agent_key, calls_key, leases_key, ended_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local agent_id, channel, now = ARGV[1], ARGV[2], tonumber(ARGV[3])

local function redis_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Calls whose lease ran out belong to a process that stopped refreshing them (it died): dropped.
local function purge_expired()
  local expired = redis.call('ZRANGEBYSCORE', leases_key, '-inf', redis_ms())
  if #expired == 0 then return false end
  redis.call('ZREM', leases_key, unpack(expired))
  redis.call('HDEL', calls_key, unpack(expired))
  return true
end

local function finished(call_id)
  return redis.call('ZSCORE', ended_key, call_id) ~= false
end

-- Remembers a finished call for ten minutes, longer than any retried write takes.
local function remember_finished(call_id)
  local t = redis_ms()
  redis.call('ZADD', ended_key, t, call_id)
  redis.call('ZREMRANGEBYSCORE', ended_key, '-inf', t - 600000)
  redis.call('PEXPIRE', ended_key, 600000)
end

-- A wrap-up whose end time has passed is over.
local function end_due_wrap_up()
  local f = redis.call('HMGET', agent_key, 'presence', 'wrapUpUntil')
  if f[1] == 'wrap-up' and f[2] and f[2] ~= '' and tonumber(f[2]) <= now then
    redis.call('HSET', agent_key, 'presence', 'available', 'wrapUpUntil', '')
    return true
  end
  return false
end

-- The process and seq of a calls-hash value ("r|<process>|<seq>"; seq absent in older values).
local function holder(value)
  local proc, seq = string.match(value, '^[rt]|([^|]*)|(%d+)$')
  if proc then return proc, tonumber(seq) end
  return string.sub(value, 3), nil
end

local function number(v)
  if not v or v == '' then return 0 end
  return tonumber(v)
end

local function state_json(v)
  local f = redis.call('HMGET', agent_key, 'presence', 'wrapUpUntil', 'setAt', 'callsToday', 'lastCallEndedAt', 'v')
  local calls = {}
  local flat = redis.call('HGETALL', calls_key)
  for i = 1, #flat, 2 do calls[flat[i]] = flat[i + 1] end
  return cjson.encode({
    id = agent_id, v = v or number(f[6]), presence = f[1] or 'offline', wrapUpUntil = number(f[2]), setAt = number(f[3]),
    callsToday = number(f[4]), lastCallEndedAt = number(f[5]), calls = calls
  })
end

-- Bumps the agent's version, publishes the whole new state and returns it.
local function publish_state()
  local v = redis.call('HINCRBY', agent_key, 'v', 1)
  local state = state_json(v)
  redis.call('PUBLISH', channel, state)
  return state
end
