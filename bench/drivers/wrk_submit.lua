-- wrk script for the benchmarks (bench/run.sh run, api and sim): POSTs submits shaped like gridbatch's
-- (same JSON body shape, Authorization and Content-Type headers), a new
-- prompt every request so the simulator stores distinct jobs, as it does for
-- gridbatch. The token comes from BENCH_TOKEN (a throwaway benchmark token).
local token = os.getenv("BENCH_TOKEN") or "bench-token"
local threads = 0

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

function setup(thread)
  threads = threads + 1
  thread:set("thread_index", threads)
end

local sent = 0

-- Built by hand, not by a JSON library: commandLine is a string holding JSON,
-- so its quotes are escaped once, as in the real API.
function request()
  sent = sent + 1
  local prompt = "wrk prompt " .. tostring(thread_index) .. "-" .. sent .. ": say something short."
  local body = '{"app":"gridrepublic:text-inference","commandLine":"{\\"inputs\\":[\\"'
      .. prompt .. '\\"]}","tag":"gemma:2b"}'
  return wrk.format(nil, nil, nil, body)
end
