-- A call gave its agent back: a ringing one is released; a talking one ended, and an available
-- agent with no call left goes into wrap-up. Nothing happens for a call the agent does not hold.
--   KEYS[1..4], ARGV[1..3]  as in agent-state.lua
--   ARGV[4]  call id
--   ARGV[5]  wrap-up seconds (0: none)
-- Returns the agent's state.
local changed = purge_expired()
local call_id, wrap_up = ARGV[4], tonumber(ARGV[5])
local held = redis.call('HGET', calls_key, call_id)
remember_finished(call_id)
if not held then return changed and publish_state() or state_json() end
redis.call('HDEL', calls_key, call_id)
redis.call('ZREM', leases_key, call_id)
if string.sub(held, 1, 1) == 't' then
  redis.call('HSET', agent_key, 'lastCallEndedAt', now)
  if redis.call('HGET', agent_key, 'presence') == 'available' and redis.call('HLEN', calls_key) == 0 and wrap_up > 0 then
    redis.call('HSET', agent_key, 'presence', 'wrap-up', 'wrapUpUntil', now + wrap_up * 1000)
  end
end
return publish_state()
