"""examples/3x/policy.jx (社区服务中心绩效评价(3+X) 2024.1, default params) in pandas: the same
results CSV as `jixiao eval examples/3x/policy.jx --data FILE --out FILE`, byte for byte
(bench/run_bench.cpp compares them before timing).

    /usr/bin/python3 bench/pandas/policy_3x.py --data FILE --out FILE
"""

import numpy as np

import common as c

args = c.arguments(__doc__)
d = c.read(args.data, ["社区编码", "所属街道", "违规事项"])
key = d["社区编码"].str.strip().to_numpy()
vetoed = c.any_in(d["违规事项"], c.NEGATIVE_LIST)  # veto 负面清单否决

# 基础层 30%: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = ratio(持证社工比例, target: 50)
certified = np.minimum(c.div_round(c.HUNDRED * c.raw(d["持证社工比例"]), 50 * c.ONE), c.HUNDRED)
basic = c.leaf(c.raw(d["设施覆盖率"]), 15) + c.leaf(c.raw(d["服务可达性"]), 10) + c.leaf(certified, 5)

# 核心层 40%: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 居民 × 40% + 第三方 × 30% + 部门 × 30%
satisfaction = (c.div_round(c.raw(d["居民评分"]) * 400_000, c.ONE) + c.div_round(c.raw(d["第三方评分"]) * 300_000, c.ONE)
                + c.div_round(c.raw(d["部门评分"]) * 300_000, c.ONE))
core = c.leaf(c.raw(d["需求匹配度"]), 20) + c.leaf(c.raw(d["服务质量评分"]), 12) + c.leaf(satisfaction, 8)

# 创新层 20%: 智慧化水平 8%, 品牌建设 6% = bands(品牌项目数) { [0,1) 0, [1,3) 60, [3,5) 80, [5,50] 100 },
# 模式创新 6%
brands = c.raw(d["品牌项目数"])
brand_score = np.select([brands < 1 * c.ONE, brands < 3 * c.ONE, brands < 5 * c.ONE], [0, 60 * c.ONE, 80 * c.ONE], c.HUNDRED)
innovation = c.leaf(c.raw(d["智慧化水平"]), 8) + c.leaf(brand_score, 6) + c.leaf(c.raw(d["模式创新评分"]), 6)

# 可持续层 10%: 资金自给率 4% = interpolate(自筹资金 / 运营支出 * 100, 0 -> 0, 30 -> 100), 资源整合度 3%,
# 社会参与度 3% = interpolate(志愿服务时长, 0 -> 0, 2000 -> 100)
self_funded = c.money_percent(c.fen(d["自筹资金"]), c.fen(d["运营支出"]))
hours = c.raw(d["志愿服务时长"])
sustainable = (c.leaf(np.clip(c.div_round(c.HUNDRED * np.clip(self_funded, 0, 30 * c.ONE), 30 * c.ONE), 0, c.HUNDRED), 4)
               + c.leaf(c.raw(d["资源整合度"]), 3)
               + c.leaf(c.div_round(c.HUNDRED * np.clip(hours, 0, 2000 * c.ONE), 2000 * c.ONE), 3))

# 总分 = max(0, layers − 投诉扣分 (0.5 per complaint, at most 10)); 等级 and 预警 band it; the veto
# forces D and red.
complaints = c.raw(d["有效投诉次数"]) // c.ONE
total = np.maximum(0, basic + core + innovation + sustainable - np.minimum(complaints * 50, 1000))
grade = c.grade(total, vetoed)
alert = np.where(vetoed | (total < 6000), "red", np.where(total < 7500, "yellow", "blue"))

# fund 运营补助 pool 2000万元: 绩效分配 70% by 基础额度 × coef(等级), 创新奖励 30% among the top 10% by
# 总分.创新层 proportional to it; ties by 社区编码.
performance, reward = c.dual_track(2000_0000_00, c.fen(d["基础额度"]), grade, ~vetoed, innovation, key,
                                   ("运营补助.绩效分配", "运营补助.创新奖励"))

c.write(args.out, {
    "社区编码": key,
    "所属街道": d["所属街道"].str.strip(),
    "总分": c.hundredths(total),
    "总分.基础层": c.hundredths(basic),
    "总分.核心层": c.hundredths(core),
    "总分.创新层": c.hundredths(innovation),
    "总分.可持续层": c.hundredths(sustainable),
    "等级": grade,
    "预警": alert,
    "预警.期限": np.select([alert == "red", alert == "yellow"], ["3天", "5个工作日"], ""),
    "预警.措施": np.select([alert == "red", alert == "yellow"], ["触发应急响应, 3日内整改", "启动专家会诊, 5个工作日内提出方案"],
                         "纳入常规管理"),
    "运营补助.绩效分配": c.hundredths(performance),
    "运营补助.创新奖励": c.hundredths(reward),
    "运营补助": c.hundredths(performance + reward),
    "触发规则": c.reasons([(complaints > 0, "扣分:投诉扣分"), (complaints * 50 > 1000, "封顶:投诉扣分"),
                       (vetoed, "否决:负面清单否决（触及负面清单）")]),
})
