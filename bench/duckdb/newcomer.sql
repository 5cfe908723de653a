-- bench/policies/3x-newcomer.jx (社区服务中心运营补助绩效评价 2025.1, default params) as one DuckDB SQL
-- script, run by run.mjs after macros.sql: the same results CSV as
--   jixiao eval bench/policies/3x-newcomer.jx --data {{data}} --out {{out}}
-- byte for byte (bench/run_bench.cpp compares them before timing).

-- The data, in file order (rn), read, scored, graded: one query.
CREATE TABLE scored AS
WITH input AS (
  SELECT row_number() OVER () AS rn, * FROM read_csv({{data}}, header = true, all_varchar = true)),
cells AS (
SELECT rn, trim(社区编码) AS key, trim(社区名称) AS name, trim(所属街道) AS street,
       raw(设施覆盖率) AS coverage, raw(服务可达性) AS access, raw(持证社工比例) AS certified,
       raw(需求匹配度) AS need_match, raw(服务质量评分) AS quality,
       raw(居民评分) AS resident, raw(第三方评分) AS third_party, raw(部门评分) AS department,
       raw(智慧化水平) AS smart, raw(品牌项目数) AS brands, raw(模式创新评分) AS model_innovation,
       fen(自筹资金) AS self_funds, fen(运营支出) AS spending, raw(资源整合度) AS integration,
       raw(志愿服务时长) AS hours, raw(有效投诉次数) // 1000000 AS complaints,
       -- veto 一票否决 when 违规事项 any_in 负面清单
       any_in(违规事项, ['挪用专项资金', '虚报服务数据', '违规发包', '截留克扣补助', '超范围列支',
                         '以拨代支', '套取财政资金', '违规收费', '拒不整改']) AS vetoed,
       fen(基础额度) AS base
FROM input),
layers AS (
SELECT rn, key, name, street, complaints, vetoed, base,
       -- 基础层: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = 持证社工比例 * 2
       leaf(coverage, 15) + leaf(access, 10) + leaf(certified * 2, 5) AS basic,
       -- 核心层: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 满意度 = (居民 + 第三方 + 部门) / 3
       leaf(need_match, 20) + leaf(quality, 12) + leaf(div_round(resident + third_party + department, 3), 8) AS core,
       -- 创新层: 智慧化水平 8%, 品牌建设 6% = 品牌项目数 * 20, 模式创新 6%
       leaf(smart, 8) + leaf(brands * 20, 6) + leaf(model_innovation, 6) AS innovation,
       -- 可持续层: 资金自给率 4% = 自给率 / 30 * 100 with 自给率 = 自筹资金 / 运营支出 * 100, 资源整合度 3%,
       -- 社会参与度 3% = 志愿服务时长 / 20
       leaf(div_round(self_funded, 30) * 100, 4) + leaf(integration, 3) + leaf(div_round(hours, 20), 3) AS sustainable
FROM (SELECT *, div_round(self_funds * 1000000, spending) * 100 AS self_funded FROM cells))
-- 总分 = max(0, layers − 投诉扣分 (1 per complaint, at most 10)); 等级 bands it; the veto forces D.
SELECT *,
       CASE WHEN vetoed THEN 'D' WHEN total >= 9000 THEN 'A' WHEN total >= 7500 THEN 'B' WHEN total >= 6000 THEN 'C'
            ELSE 'D' END AS grade
FROM (SELECT *, greatest(0, basic + core + innovation + sustainable - least(complaints * 100, 1000)) AS total FROM layers);

-- fund 运营补助 pool 5000万元: track 绩效 70% split by 基础额度 * coef(等级) { A 0.9, B 0.65, C 0.4, D 0 }
-- (exact: in twentieths of a fen); rows the veto excludes (fund 0) get nothing.
INSERT INTO track
SELECT rn, key, CAST(base AS HUGEINT) * CASE grade WHEN 'A' THEN 18 WHEN 'B' THEN 13 WHEN 'C' THEN 8 ELSE 0 END AS w
FROM scored WHERE NOT vetoed;
CREATE TABLE performance AS SELECT * FROM largest_remainder(3500000000, '运营补助.绩效');

-- track 奖励 30% split among top 10% by 总分 proportional to 总分
INSERT INTO candidates SELECT rn, key, total FROM scored WHERE NOT vetoed;
DELETE FROM track;
INSERT INTO track SELECT rn, key, v FROM top_percent(10);
CREATE TABLE reward AS SELECT * FROM largest_remainder(1500000000, '运营补助.奖励');

COPY (
  SELECT s.key AS 社区编码, s.name AS 社区名称, s.street AS 所属街道, hundredths(s.total) AS 总分,
         hundredths(s.basic) AS "总分.基础层", hundredths(s.core) AS "总分.核心层", hundredths(s.innovation) AS "总分.创新层",
         hundredths(s.sustainable) AS "总分.可持续层", s.grade AS 等级,
         hundredths(coalesce(p.fen, 0)) AS "运营补助.绩效", hundredths(coalesce(r.fen, 0)) AS "运营补助.奖励",
         hundredths(coalesce(p.fen, 0) + coalesce(r.fen, 0)) AS 运营补助,
         nullif(concat_ws(';', CASE WHEN s.complaints > 0 THEN '扣分:投诉扣分' END,
                          CASE WHEN s.complaints * 100 > 1000 THEN '封顶:投诉扣分' END,
                          CASE WHEN s.vetoed THEN '否决:一票否决（触及负面清单）' END), '') AS 触发规则
  FROM scored s LEFT JOIN performance p USING (rn) LEFT JOIN reward r USING (rn)
  ORDER BY s.rn
) TO {{out}} (HEADER, DELIMITER ',');
