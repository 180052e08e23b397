--[[
  Targets whose jobs were taken off the queue (pause, cancel) or are gone (the reconciler found
  no job): back to pending, or cancelled when the rollout is.
  KEYS: the rollout keys
  ARGV: id, now, n, idx1, job1, ..., idxN, jobN
  Returns: {moved}
]]
return { release(held(4, tonumber(ARGV[3])), redis.call('HGET', R, 'status')) }
