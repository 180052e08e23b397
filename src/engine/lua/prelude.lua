-- Shared by every rollout script, after the key bindings engine/scripts.ts generates
-- (R, T, O, J, ACTIVE, EVENTS, the status sets S[...], KEY_COUNT, EVENTS_MAXLEN).
-- Every script takes ARGV[1] = rollout id and ARGV[2] = now (epoch ms).
-- Target records (T, O) are opaque JSON written by the service: no script decodes them, so no
-- name a gateway returns can make a script fail.
local ID, NOW = ARGV[1], ARGV[2]

-- Appends one event of this rollout to the outbox stream, in the same step as the change.
local function emit(...)
  return redis.call('XADD', EVENTS, 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'r', ID, ...)
end

-- Sets the rollout's status and records who asked (action, actor) and why, as one event.
local function set_status(to, action, actor, detail)
  local from = redis.call('HGET', R, 'status') or ''
  redis.call('HSET', R, 'status', to, 'updatedAt', NOW)
  emit('k', 'status', 's', to, 'p', from, 'a', action or '', 'by', actor or '', 'd', detail or '')
end

-- Targets that reached a terminal status in this step, counted by status, as one event.
local function emit_outcomes(counts, extra)
  local fields = {}
  for status, n in pairs(counts) do
    if n > 0 then
      fields[#fields + 1] = status
      fields[#fields + 1] = n
    end
  end
  if extra then
    for _, v in ipairs(extra) do fields[#fields + 1] = v end
  end
  if #fields > 0 then emit('k', 'outcomes', unpack(fields)) end
end

local function zadd_all(key, members)
  if #members == 0 then return end
  local scored = {}
  for _, idx in ipairs(members) do
    scored[#scored + 1] = idx
    scored[#scored + 1] = idx
  end
  redis.call('ZADD', key, unpack(scored))
end

local function move(members, from, to)
  if #members == 0 then return end
  redis.call('ZREM', S[from], unpack(members))
  zadd_all(S[to], members)
end

-- The rollout's status, current wave, that wave's bound (targets with a lower index are
-- released), the number of waves and the error budget, in one read.
local function rollout_state()
  local f = redis.call('HMGET', R, 'status', 'wave', 'waveBounds', 'maxErrors')
  local wave = tonumber(f[2] or '0')
  local bounds = cjson.decode(f[3] or '[]')
  return f[1], wave, bounds[wave] or 0, #bounds, tonumber(f[4] or '0')
end

-- Pending targets of the released waves.
local function pending_in_wave(bound)
  if bound == 0 then return 0 end
  return redis.call('ZCOUNT', S.pending, 0, bound - 1)
end

-- Targets whose job will not finish them: back to pending, or cancelled with their rollout.
local function release(members, status)
  if #members == 0 then return 0 end
  redis.call('ZREM', S.running, unpack(members))
  redis.call('HDEL', J, unpack(members))
  if status == 'cancelled' then
    zadd_all(S.cancelled, members)
    emit_outcomes({ cancelled = #members })
  else
    zadd_all(S.pending, members)
  end
  redis.call('HSET', R, 'updatedAt', NOW)
  return #members
end

-- Members of ARGV from position `first` on, as (index, job) pairs, whose target that job holds.
local function held(first, count)
  local out = {}
  for i = 0, count - 1 do
    local idx, job = ARGV[first + 2 * i], ARGV[first + 2 * i + 1]
    if redis.call('HGET', J, idx) == job then out[#out + 1] = idx end
  end
  return out
end

-- Where a running rollout (read by rollout_state) stands after targets moved: {next, detail,
-- room}. `room` is how many more jobs the dispatch window takes while pending targets of the
-- wave wait for one.
local function after_targets(window, wave, bound)
  local pending = pending_in_wave(bound)
  local running = redis.call('ZCARD', S.running)
  if pending + running == 0 then return { 'wave_done', tostring(wave), 0 } end
  local room = 0
  if pending > 0 then room = window - running end
  return { 'open', 'running', room }
end
