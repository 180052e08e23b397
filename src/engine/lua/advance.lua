--[[
  A wave's targets are all terminal: finish the rollout, or release the next wave (pausing first
  when the strategy waits for a human between waves).
  KEYS: the rollout keys
  ARGV: id, now, wave, pauseBetweenWaves ('1' | '0')
  Returns: {0, status} finished | {1, reason} paused | {2, wave} next wave released | {3} nothing to do
]]
if redis.call('HGET', R, 'status') ~= 'running' then return { 3 } end
local _, wave, bound, total = rollout_state()
if wave ~= tonumber(ARGV[3]) or pending_in_wave(bound) + redis.call('ZCARD', S.running) > 0 then return { 3 } end
if wave >= total then
  local final = 'succeeded'
  if redis.call('ZCARD', S.failed) > 0 then final = 'failed' end
  redis.call('HSET', R, 'finishedAt', NOW)
  redis.call('SREM', ACTIVE, ID)
  set_status(final, '', '', '')
  return { 0, final }
end
redis.call('HSET', R, 'wave', wave + 1, 'updatedAt', NOW)
if ARGV[4] == '1' then
  local why = 'wave ' .. wave .. ' of ' .. total .. ' finished; resume to start wave ' .. (wave + 1)
  redis.call('HSET', R, 'pausedReason', why)
  set_status('paused', '', '', why)
  return { 1, why }
end
return { 2, tostring(wave + 1) }
