-- Extends the leases of the calls a live process still holds on one agent.
--   KEYS[1]  the agent's leases sorted set
--   ARGV[1]  lease (ms)
--   ARGV[2…] call ids
-- Returns how many of them were no longer held (their lease had run out).
local t = redis.call('TIME')
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local gone = 0
for i = 2, #ARGV do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', until_ms, ARGV[i]) == 0 and not redis.call('ZSCORE', KEYS[1], ARGV[i]) then gone = gone + 1 end
end
return gone
