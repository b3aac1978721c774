-- Checks every response wrk receives: status 200 and a body of the expected length.
-- The expected length is the script's one argument (wrk ... -s wrk_check.lua URL -- LENGTH).
-- Each wrk thread counts in its own Lua state; done() adds the counts up and prints one line:
--   checked: GOOD good, BAD bad

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1])
  good = 0
  bad = 0
end

function response(status, headers, body)
  if status == 200 and #body == expected then
    good = good + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local g, b = 0, 0
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    b = b + thread:get("bad")
  end
  io.write(string.format("checked: %d good, %d bad\n", g, b))
end
