"""bench/policies/3x-newcomer.jx (社区服务中心运营补助绩效评价 2025.1, default params) in pandas: the
same results CSV as `jixiao eval bench/policies/3x-newcomer.jx --data FILE --out FILE`, byte for
byte (bench/run_bench.cpp compares them before timing).

    /usr/bin/python3 bench/pandas/policy_newcomer.py --data FILE --out FILE
"""

import numpy as np

import common as c

args = c.arguments(__doc__)
d = c.read(args.data, ["社区编码", "社区名称", "所属街道", "违规事项"])
key = d["社区编码"].str.strip().to_numpy()
vetoed = c.any_in(d["违规事项"], c.NEGATIVE_LIST)  # veto 一票否决

# 基础层 30%: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = 持证社工比例 * 2
basic = c.leaf(c.raw(d["设施覆盖率"]), 15) + c.leaf(c.raw(d["服务可达性"]), 10) + c.leaf(c.raw(d["持证社工比例"]) * 2, 5)

# 核心层 40%: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 满意度 = (居民 + 第三方 + 部门) / 3
satisfaction = c.div_round(c.raw(d["居民评分"]) + c.raw(d["第三方评分"]) + c.raw(d["部门评分"]), 3)
core = c.leaf(c.raw(d["需求匹配度"]), 20) + c.leaf(c.raw(d["服务质量评分"]), 12) + c.leaf(satisfaction, 8)

# 创新层 20%: 智慧化水平 8%, 品牌建设 6% = 品牌项目数 * 20, 模式创新 6%
innovation = c.leaf(c.raw(d["智慧化水平"]), 8) + c.leaf(c.raw(d["品牌项目数"]) * 20, 6) + c.leaf(c.raw(d["模式创新评分"]), 6)

# 可持续层 10%: 资金自给率 4% = 自给率 / 30 * 100 with 自给率 = 自筹资金 / 运营支出 * 100, 资源整合度 3%,
# 社会参与度 3% = 志愿服务时长 / 20
self_funded = c.money_percent(c.fen(d["自筹资金"]), c.fen(d["运营支出"]))
sustainable = (c.leaf(c.div_round(self_funded, 30) * 100, 4) + c.leaf(c.raw(d["资源整合度"]), 3)
               + c.leaf(c.div_round(c.raw(d["志愿服务时长"]), 20), 3))

# 总分 = max(0, layers − 投诉扣分 (1 per complaint, at most 10)); 等级 bands it; the veto forces D.
complaints = c.raw(d["有效投诉次数"]) // c.ONE
total = np.maximum(0, basic + core + innovation + sustainable - np.minimum(complaints * 100, 1000))
grade = c.grade(total, vetoed)

# fund 运营补助 pool 5000万元: 绩效 70% by 基础额度 × coef(等级), 奖励 30% among the top 10% by 总分
# proportional to it; ties by 社区编码.
performance, reward = c.dual_track(5000_0000_00, c.fen(d["基础额度"]), grade, ~vetoed, total, key,
                                   ("运营补助.绩效", "运营补助.奖励"))

c.write(args.out, {
    "社区编码": key,
    "社区名称": d["社区名称"].str.strip(),
    "所属街道": d["所属街道"].str.strip(),
    "总分": c.hundredths(total),
    "总分.基础层": c.hundredths(basic),
    "总分.核心层": c.hundredths(core),
    "总分.创新层": c.hundredths(innovation),
    "总分.可持续层": c.hundredths(sustainable),
    "等级": grade,
    "运营补助.绩效": c.hundredths(performance),
    "运营补助.奖励": c.hundredths(reward),
    "运营补助": c.hundredths(performance + reward),
    "触发规则": c.reasons([(complaints > 0, "扣分:投诉扣分"), (complaints * 100 > 1000, "封顶:投诉扣分"),
                       (vetoed, "否决:一票否决（触及负面清单）")]),
})
