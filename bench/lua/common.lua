-- common.lua: what every bench script shares.  Loaded by the others with
-- dofile(); bench/run sets the BENCH_* variables in wrk's environment.
--
-- done() appends one JSON object (one line) to $BENCH_OUT: requests,
-- seconds, rps, p50_ms, p99_ms, non2xx (wrk's count of answers with a
-- status of 400 or more; userapi sends no 3xx) and socket_errors.

bench = {
	users = tonumber(os.getenv("BENCH_USERS") or "1000"),
	first_id = tonumber(os.getenv("BENCH_FIRST_ID") or "1"),
	token = os.getenv("BENCH_TOKEN") or "",
	password = os.getenv("BENCH_PASSWORD") or "",
	nonce = os.getenv("BENCH_NONCE") or "0",
	prefix = os.getenv("BENCH_PATH_PREFIX") or "/api/users/",
}

local counter = 1

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end

function init(args)
	math.randomseed(os.time() + 7919 * (tid or 0))
end

-- seeded user number i (1-based) as bench/run registered it
function bench.email(i)
	return string.format("bench-user-%d@example.com", i)
end

function bench.bearer()
	return { ["Authorization"] = "Bearer " .. bench.token }
end

function bench.json_headers()
	return { ["Content-Type"] = "application/json" }
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	local f = assert(io.open(os.getenv("BENCH_OUT"), "a"))
	f:write(string.format(
	    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,' ..
	    '"p99_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
	    summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    e.status, e.connect + e.read + e.write + e.timeout))
	f:close()
end
