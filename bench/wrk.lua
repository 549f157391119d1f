-- The load generator's script for bench/run.py (wrk, from Debian): one signed-in session, GET or a form POST.
--
-- Read from the environment, so bench/run.py sets each page's own:
--   BENCH_COOKIE  the Cookie header (a session, and for a POST its CSRF cookie); empty for the login page
--   BENCH_BODY    a POST's urlencoded form; "{unique}" in it becomes a fresh UUID on every request
--                 (a concern's idempotency key, so each POST records a new concern and is never a replay)
--   BENCH_OUT     where done() writes its figures as JSON
local cookie = os.getenv("BENCH_COOKIE") or ""
local body = os.getenv("BENCH_BODY")
local out = os.getenv("BENCH_OUT")

if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if body and body ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Origin"] = wrk.scheme .. "://" .. wrk.host .. ":" .. wrk.port
  wrk.body = body
end

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

request = function()
  if wrk.body and string.find(wrk.body, "{unique}", 1, true) then
    local fresh = string.gsub(wrk.body, "{unique}", uuid4())
    return wrk.format(nil, nil, nil, fresh)
  end
  return wrk.format()
end

done = function(summary, latency, requests)
  local e = summary.errors
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "max_us": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout
  ))
  f:close()
end
