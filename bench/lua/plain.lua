-- plain.lua: GET the URL given to wrk, nothing else (GET /health and
-- baseline (a)).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
