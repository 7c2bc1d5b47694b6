-- The benchmark's PostgreSQL catalog (scripts/bench.sh). Deterministic: everything follows from
-- the table number. 8 schemas; 5-20 columns from a fixed rotation of types; a primary key; every
-- third table a foreign key to an earlier table of its schema; an index on the second column; a
-- comment on every table and on every third column; views over tables.
--
--   PGOPTIONS='-c bench.tables=10000 -c bench.views=500' psql -d DATABASE -f scripts/bench-catalog.sql
DO $$
DECLARE
  types text[] := ARRAY['integer', 'bigint', 'numeric(12,2)', 'varchar(64)', 'text', 'timestamptz',
                        'jsonb', 'uuid', 'integer[]', 'boolean', 'date', 'text[]', 'numeric(8,3)', 'varchar(255)'];
  s text; n int; cols text;
BEGIN
  FOR i IN 0..7 LOOP EXECUTE format('CREATE SCHEMA s%s', i); END LOOP;
  FOR t IN 1..current_setting('bench.tables')::int LOOP
    s := 's' || (t % 8);
    n := 5 + (t * 7) % 16;
    cols := 'id bigint PRIMARY KEY';
    FOR c IN 2..n LOOP
      cols := cols || format(', c%s %s%s', c, types[1 + (t + c) % array_length(types, 1)],
                             CASE WHEN c % 4 = 0 THEN ' NOT NULL' ELSE '' END);
    END LOOP;
    IF t > 8 AND t % 3 = 0 THEN
      cols := cols || format(', parent_id bigint REFERENCES %s.t%s(id)', s, t - 8);
    END IF;
    EXECUTE format('CREATE TABLE %s.t%s (%s)', s, t, cols);
    EXECUTE format('CREATE INDEX ON %s.t%s (c2)', s, t);
    EXECUTE format('COMMENT ON TABLE %s.t%s IS %L', s, t, 'table number ' || t);
    FOR c IN 3..n BY 3 LOOP
      EXECUTE format('COMMENT ON COLUMN %s.t%s.c%s IS %L', s, t, c, 'column ' || c || ' of table ' || t);
    END LOOP;
    IF t % 1000 = 0 THEN COMMIT; END IF;  -- one transaction would run out of lock slots
  END LOOP;
  FOR v IN 1..current_setting('bench.views')::int LOOP
    n := 1 + (v * 37) % current_setting('bench.tables')::int;   -- the table the view reads, in the view's schema
    s := 's' || (n % 8);
    EXECUTE format('CREATE VIEW %s.v%s AS SELECT id, c2 FROM %s.t%s WHERE id > %s', s, v, s, n, v);
  END LOOP;
END $$;
ANALYZE;
