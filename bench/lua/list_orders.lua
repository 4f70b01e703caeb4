-- list_orders.lua: GET /api/orders/?limit=20 with the bearer token
-- bench/run gives it (an admin's: the first page of everyone's orders,
-- newest first, with the total of all of them).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req

function request()
	req = req or wrk.format("GET", "/api/orders/?limit=20", bench.bearer())
	return req
end
