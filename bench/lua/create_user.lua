-- create_user.lua: POST /api/users/, each request a new user (the run's
-- nonce, the wrk thread and a counter make the address unique).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local n = 0

function request()
	n = n + 1
	local body = string.format(
	    '{"email":"bench-new-%s-%d-%d@example.com",' ..
	    '"name":"Bench New","password":"%s"}',
	    bench.nonce, tid or 0, n, bench.password)
	return wrk.format("POST", "/api/users/", bench.json_headers(), body)
end
