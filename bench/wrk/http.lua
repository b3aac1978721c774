-- wrk script for bench/run http: optional pipelining, and one machine-readable summary line.
--
--   wrk -t1 -c64 -d20s --latency -s bench/wrk/http.lua http://127.0.0.1:8080/plaintext        # keep-alive
--   wrk -t1 -c64 -d20s --latency -s bench/wrk/http.lua http://127.0.0.1:8080/plaintext -- 16  # depth 16
--
-- With a depth N > 1 every write carries N requests, as TechEmpower's pipeline.lua does; wrk
-- counts each response, and records one latency per batch (the time until the batch's last
-- response). With no depth (or 1) the script defines no request() and wrk keeps its faster
-- static request path.
--
-- At the end it prints, besides wrk's own report:
--   WRK requests=R bytes=B duration_us=D connect=.. read=.. write=.. status=.. timeout=..
--       p50us=.. p90us=.. p99us=.. maxus=.. cpu_s=C
-- cpu_s is the CPU time wrk itself used (os.clock() covers all its threads on Linux).

local batch = nil

function init(args)
  local depth = tonumber(args[1]) or 1
  if depth > 1 then
    local r = {}
    for i = 1, depth do
      r[i] = wrk.format()
    end
    batch = table.concat(r)
  else
    request = nil -- static requests: wrk never calls into Lua per request
  end
end

function request()
  return batch
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d bytes=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50us=%d p90us=%d p99us=%d maxus=%d cpu_s=%.3f\n",
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, os.clock()))
end
