-- create_order.lua: POST /api/orders/ with the bearer token, each
-- request a new order of 3 items (no Idempotency-Key).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local n = 0
local headers

function request()
	n = n + 1
	headers = headers or {
		["Authorization"] = "Bearer " .. bench.token,
		["Content-Type"] = "application/json",
	}
	local body = string.format(
	    '{"currency":"EUR","note":"bench %s-%d-%d","items":[' ..
	    '{"sku":"BK-%d","name":"Book","unit_price_cents":1299,"quantity":2},' ..
	    '{"sku":"PEN-1","name":"Pen","unit_price_cents":250,"quantity":%d},' ..
	    '{"sku":"MUG-7","name":"Mug","unit_price_cents":899,"quantity":1}]}',
	    bench.nonce, tid or 0, n, n % 100, 1 + n % 10)
	return wrk.format("POST", "/api/orders/", headers, body)
end
