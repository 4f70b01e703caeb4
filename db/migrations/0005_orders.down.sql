-- 0005_orders: back to the schema of 0004.
DROP TABLE idempotency_keys;
DROP TRIGGER orders_count_truncate ON orders;
DROP TRIGGER orders_count_delete ON orders;
DROP TRIGGER orders_count_update ON orders;
DROP TRIGGER orders_count_insert ON orders;
DROP FUNCTION orders_count_rows();
DROP TABLE order_count;
DROP TABLE order_items;
DROP TABLE orders;
