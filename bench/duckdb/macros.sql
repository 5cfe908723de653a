-- What the benchmark's DuckDB scripts (3x.sql, newcomer.sql) share; run.mjs runs it before the
-- script. Exact integers throughout, as jixiao computes (docs/language.md §10): numbers are kept
-- × 10^6 ("raw"), money in fen, scores in hundredths; no floating point anywhere.

-- n / d rounded half away from zero (四舍五入), d > 0.
CREATE MACRO div_round(n, d) AS sign(n) * ((2 * abs(n) + d) // (2 * CAST(d AS BIGINT)));

-- A number cell (score, percent with or without `%`, count, number) as raw, and an amount in 元
-- (thousands separators allowed) as fen. The cells are valid: these scripts do not check the data
-- as jixiao does (a cell with too many decimals would be rounded here, refused there).
CREATE MACRO raw(s) AS CAST(CAST(trim(replace(s, '%', '')) AS DECIMAL(18, 6)) * 1000000 AS BIGINT);
CREATE MACRO fen(s) AS CAST(CAST(trim(replace(s, ',', '')) AS DECIMAL(18, 2)) * 100 AS BIGINT);

-- Points of a weighted leaf (a `%` item) in hundredths: the formula's value (raw) clamped into
-- [0, 100], scaled to the leaf's full marks and rounded to 6 decimals, then to 2.
CREATE MACRO leaf(v, full_points) AS
  div_round(div_round(CAST(least(greatest(v, 0), 100000000) AS BIGINT) * full_points * 1000000, 100000000), 10000);

-- `list any_in set`: items separated by ; ； 、 or |, trimmed, empty items dropped.
CREATE MACRO any_in(list, set) AS
  list_has_any(list_filter(list_transform(regexp_split_to_array(coalesce(list, ''), '[;；、|]'), x -> trim(x)),
                           x -> x <> ''), set);

-- Hundredths (scores, fen) as text with two decimals, as jixiao writes them: 7533 → 75.33.
CREATE MACRO hundredths(v) AS (v // 100)::VARCHAR || '.' || lpad((v % 100)::VARCHAR, 2, '0');

-- The tables the two table macros below read; a script fills them before each call.
CREATE TABLE track (rn BIGINT, key VARCHAR, w HUGEINT);
CREATE TABLE candidates (rn BIGINT, key VARCHAR, v BIGINT);

-- The largest-remainder split of `pool` fen among the rows of the table `track` (rn, key, w) in
-- proportion to w (docs/allocation.md): each gets floor(pool × w / W), the fen left over go one
-- each to the largest remainders, equal remainders by the key in byte order. Weights adding up to
-- 0 are an error, as in jixiao (money cannot vanish).
CREATE MACRO largest_remainder(pool, track_name) AS TABLE
  WITH total AS (
    SELECT CASE WHEN sum(w) > 0 THEN sum(w)
                ELSE error('track `' || track_name || '` cannot pay out its pool: the weights add up to 0') END AS total_w
    FROM track),
  q AS (
    SELECT rn, key, (CAST(pool AS HUGEINT) * w) // total_w AS share, (CAST(pool AS HUGEINT) * w) % total_w AS rem
    FROM track, total),
  extra AS (
    SELECT rn FROM q WHERE rem > 0 ORDER BY rem DESC, key LIMIT (SELECT pool - sum(share) FROM q))
  SELECT q.rn, CAST(q.share + CASE WHEN extra.rn IS NULL THEN 0 ELSE 1 END AS BIGINT) AS fen
  FROM q LEFT JOIN extra USING (rn);

-- The top p% of the table `candidates` (rn, key, v) by v, equal values by the key: floor(n × p / 100)
-- rows, at least one.
CREATE MACRO top_percent(p) AS TABLE
  SELECT rn, key, v FROM (
    SELECT rn, key, v, row_number() OVER (ORDER BY v DESC, key) AS place, count(*) OVER () AS n FROM candidates)
  WHERE place <= greatest(n * p // 100, 1);
