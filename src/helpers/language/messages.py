"""The Simplified Chinese catalogue: English message (as written in the code) -> Chinese.

Reviewed wording follows Chinese retail CRM practice (会员等级, 高价值/高潜力客户, 新客/活跃/沉睡/流失,
流失预警, 分层干预, 客户终身价值 CLV, 复购). Model names (BG/NBD, Pareto/NBD, Gamma-Gamma) and metric names
(ROC-AUC, PR-AUC, Brier) stay, each explained in Chinese where it first appears.
"""

__all__ = ["HEADERS", "MESSAGES", "VOCABULARY", "ZH"]

# fmt: off
VOCABULARY = {
    # RFM segments (segment.scheme: rfm11)
    "Champions": "冠军客户", "Loyal Customers": "忠诚客户", "Potential Loyalist": "潜力忠诚客户",
    "New Customers": "新客户", "Promising": "有潜力的新客", "Need Attention": "需要关注客户",
    "About To Sleep": "即将沉睡客户", "At Risk": "流失风险客户", "Can't Lose Them": "不能失去的客户",
    "Hibernating": "沉睡客户", "Lost": "已流失客户", "Unassigned": "未分配",
    # the eight classes (segment.scheme: cn8)
    "Important value": "重要价值客户", "Important development": "重要发展客户",
    "Important retention": "重要保持客户", "Important win-back": "重要挽留客户",
    "General value": "一般价值客户", "General development": "一般发展客户",
    "General retention": "一般保持客户", "General win-back": "一般挽留客户",
    # value tiers (past spend), spend levels, lifecycle stages, risk tiers, value levels (future value)
    "VIP": "高价值客户", "high potential": "高潜力客户", "regular": "普通",
    "silver": "银级", "gold": "金级", "diamond": "钻石级",
    "new": "新客", "active": "活跃", "at risk": "沉睡", "lapsed": "流失",
    "high": "高", "medium": "中", "low": "低", "high value": "高未来价值", "low value": "低未来价值",
    "own": "本人节奏", "population": "整体节奏", "model": "模型", "baseline": "基准", "True": "是", "False": "否",
    "cut 1": "分界 1", "cut 2": "分界 2", "cut 3": "分界 3", "cut 4": "分界 4",
    "total purchases": "总购买次数", "total revenue": "总销售额", "successful fits": "成功拟合次数",
    # the default actions (churn.action_rules)
    "Personal call from the service team and an exclusive retention offer": "客服专人致电，并提供专属挽留礼遇",
    "Personalised recommendations and early access, no blanket discount": "个性化推荐与新品优先体验，不做普遍折扣",
    "Loyalty rewards and recognition, no discount": "会员积分奖励与专属关怀，不打折",
    "Last low-cost win-back message; suppress from paid campaigns if no response":
        "最后一次低成本召回消息；无回应则不再投放付费营销",
    "Automated win-back with a time-limited offer": "自动化召回，附限时优惠",
    "Second-purchase incentive and product education": "复购激励与产品使用指导",
    "Reminder of favourite products with bestsellers": "提醒常购商品并推荐热销品",
    "Standard newsletter": "常规会员通讯",
    # the moments' actions (helpers.models.moments)
    "Birthday greeting with a birthday coupon": "生日祝福并送生日券",
    "Membership anniversary thanks with bonus points": "入会周年致谢并赠送积分",
    "Baby milestone greeting with a gift for the new stage": "宝宝成长节点祝福，并送新阶段礼品",
    "Festival greeting for a customer who buys for the festival": "节日问候（面向节前常购的客户）",
    "Member nudge: a little more spend lifts the card level": "会员提醒：再消费一点即可升级会员卡",
    "Member nudge: the spend that keeps the card level": "会员提醒：达到保级所需消费",
    "Member nudge: redeem points before they lapse": "会员提醒：积分过期前兑换",
    # scorers
    "logistic regression": "逻辑回归", "gradient boosting": "梯度提升树",
    "days since last purchase": "距上次购买天数", "BG/NBD expected purchases": "BG/NBD 预期购买次数",
    "BG/NBD P(no purchase)": "BG/NBD 不购买概率", "Pareto/NBD P(no purchase)": "Pareto/NBD 不购买概率",
    "BG/NBD 1 - P(alive)": "BG/NBD 1 − 存活概率",
    # units, columns in words, centres, cluster words
    "weeks": "周", "days": "天", "week": "周", "day": "天", "channel": "渠道", "category": "品类",
    "mean": "均值", "median": "中位数", "one-off": "仅购一次", "occasional": "偶尔购买", "frequent": "高频购买",
    "low-spend": "低消费", "mid-spend": "中等消费", "high-spend": "高消费",
    # run status and front-page sections
    "ok": "完成", "failed": "失败", "skipped": "已跳过", "stale": "已过期", "interrupted": "已中断",
    "running": "运行中", "Data": "数据", "Segments": "客户分层", "Customer value": "客户价值",
    "Churn and actions": "流失预警与行动",
    # cleaning rules and what they mean
    "missing customer id": "缺少客户ID", "unparseable date": "日期无法识别", "invalid amount": "金额无效",
    "after observation end": "晚于观察期结束", "duplicate row": "重复行", "zero value": "金额为零",
    "return dropped": "退货（按配置剔除）", "unmatched return": "无法匹配的退货", "malformed line": "格式错误的行",
    "customer id is empty": "客户ID为空", "order date is empty or not a date": "订单日期为空或不是日期",
    "amount is empty or not a number": "金额为空或不是数字",
    "order date after dates.observation_end (or, when that is not set, in the future)":
        "订单日期晚于 dates.observation_end（未设置时：晚于今天）",
    "exact copy of an earlier row": "与之前某行完全相同", "amount is zero": "金额为零",
    "return or cancellation (config: cleaning.returns = drop)": "退货或取消（配置 cleaning.returns = drop）",
    "return with no earlier purchase by the customer (of the same product, when columns.product_id is mapped) to "
    "net against": "该客户此前没有可冲抵的购买记录（映射了 columns.product_id 时须为同一商品）的退货",
    "non product line": "非商品行",
    "product code in cleaning.non_product_codes (postage, fees, manual adjustments, discounts): money, not a "
    "purchase": "商品编码属于 cleaning.non_product_codes（运费、手续费、手工调整、折扣）：是款项，不是购买",
    "line with more or fewer fields than the header (kept as raw text)": "字段数与表头不符的行（原文保留）",
    "before earliest date": "早于最早日期", "implausible amount": "金额不可信",
    "order date before dates.earliest (default 1970-01-01): an export's placeholder, not a purchase":
        "订单日期早于 dates.earliest（默认 1970-01-01）：导出系统的占位值，不是真实购买",
    "amount beyond cleaning.max_abs_amount (default 1e12): a typing or export error, not a purchase":
        "金额绝对值超过 cleaning.max_abs_amount（默认 1e12）：录入或导出错误，不是真实购买",
    # churn features in words (the schema's meanings)
    "purchase occasions up to the analysis date": "截至分析日的购买次数", "days since the latest purchase": "距最近一次购买天数",
    "days since the first purchase": "距首次购买天数", "net spend": "净消费额", "net spend per purchase": "每次购买净消费额",
    "mean days between purchases": "平均购买间隔天数", "standard deviation of the days between purchases": "购买间隔天数的标准差",
    "days since the last purchase relative to the mean gap": "距上次购买天数 ÷ 平均间隔",
    "purchases in the last 30 days": "近30天购买次数", "purchases in the last 90 days": "近90天购买次数",
    "purchases in the last 180 days": "近180天购买次数", "spend in the last 30 days": "近30天消费额",
    "spend in the last 90 days": "近90天消费额", "spend in the last 180 days": "近180天消费额",
    "purchases 90-180 days ago": "90–180天前的购买次数", "spend 90-180 days ago": "90–180天前的消费额",
    "change in purchases: the last 90 days minus the 90 days before": "购买次数变化：近90天减去之前90天",
    "change in spend: the last 90 days minus the 90 days before": "消费额变化：近90天减去之前90天",
    "BG/NBD P(alive) fitted on all history": "BG/NBD 存活概率（全部历史）",
    "BG/NBD expected purchases over the churn horizon": "BG/NBD 流失观察期内预期购买次数",
    "distinct channels bought in": "购买过的渠道数", "distinct categories bought": "购买过的品类数",
    "returned money / gross money bought": "退货金额 ÷ 购买总额",
    # 05_next_purchase: offer methods, date predictors
    "popularity": "热销推荐", "buy again": "复购推荐", "co-purchase": "同篮推荐", "sequence": "购买序列推荐",
    "model median": "模型中位日期", "model median if active": "模型中位日期（假定仍活跃）", "own rhythm": "本人购买节奏",
    "last gap": "上次间隔", "population median gap": "整体间隔中位数", "Next purchase and offers": "下次购买与推荐",
    # 06_campaign: modes, groups, target groups
    "plan": "计划", "measure": "评估", "treatment": "干预组", "control": "对照组", "all cells": "全部分组",
    "contact": "联系", "do not contact (control)": "不联系（对照组）", "campaign": "营销活动",
    "persuadable": "可被说服", "sure thing": "无论如何都会买", "do not disturb": "勿打扰", "lost cause": "难以挽回",
    "Campaign": "营销活动",
    # 02 profile: dimensions, bands, baby stages, alerts
    "region": "地区", "city": "城市", "age band": "年龄段", "gender": "性别", "tenure band": "入会时长",
    "main store": "主要门店", "main channel": "主要渠道", "card level": "会员卡等级", "female": "女", "male": "男", "unknown": "未知", "no store (online)": "无门店（线上）",
    "under 25": "25岁以下", "25-29": "25-29岁", "30-34": "30-34岁", "35-39": "35-39岁", "40-49": "40-49岁",
    "50+": "50岁及以上", "under 3 months": "不足3个月", "3-6 months": "3-6个月", "6-12 months": "6-12个月",
    "1-2 years": "1-2年", "2 years or more": "2年及以上", "pregnancy": "孕期", "0-6 months": "0-6个月",
    "1-3 years": "1-3岁", "3 years or more": "3岁及以上", "member table": "会员表",
    "first newborn purchase": "首次购买新生儿品类", "survey answers": "调查问卷回答", "answered": "已回答",
    "did not answer": "未回答", "frequent returns": "频繁退货", "extreme order": "极端订单", "spend spike": "消费激增",
    "shared order id": "共用订单号",
    # member and survey table rules (profile_tables.MEMBER_RULES, SURVEY_RULES)
    "a date is not a date, a join date lies after the analysis date, or a baby birth date lies over 300 days ahead or 18 years back":
        "日期无法识别，或入会日期晚于分析日期，或宝宝生日早于 18 年前或晚于 300 天后",
    "age outside customers.age_range": "年龄超出 customers.age_range 范围",
    "gender, opt-in flag or card level is not a known code": "性别、订阅标记或会员卡等级不是已知代码",
    "points balance is not a number, or negative": "积分余额不是数字或为负数",
    "the customer already has an earlier valid row": "该客户已有更早的有效行",
    "survey date is empty or not a date": "调查日期为空或不是日期",
    "survey date after dates.observation_end (or the last transaction)": "调查日期晚于 dates.observation_end（或最后一笔交易）",
    "NPS not a whole number 0-10, or satisfaction not 1-5": "NPS 不是 0-10 的整数，或满意度不在 1-5 之间",
    "neither an NPS nor a satisfaction score": "既无 NPS 也无满意度评分",
    "exact copy of an earlier valid row": "与更早的有效行完全相同",
    "latest NPS answer": "最近一次 NPS 回答", "detractor: latest NPS 0-6": "贬损者：最近 NPS 0-6 分",
    "promoter: latest NPS 9-10": "推荐者：最近 NPS 9-10 分", "latest satisfaction answer, 1-5": "最近一次满意度（1-5）",
    "days since the latest survey answer": "距最近一次问卷回答天数", "survey answers given": "问卷回答次数",
}

HEADERS = {  # column and index names of the tables and exports, as `i18n.header` shows them
    "last 12 months": "近 12 个月", "vs a year earlier": "比上年同期", "peak month": "旺季月份",
    "festivals": "节日", "MASE": "MASE（对季节朴素）",
    "customer id": "客户ID", "rule": "清洗规则", "description": "说明", "rows": "行数", "money": "金额", "score": "评分",
    "share of input rows": "占输入行比例", "purchases": "购买次数", "customers": "客户数", "revenue": "销售额",
    "share of customers": "客户占比", "share of revenue": "销售额占比", "segment": "客户分层",
    "mean recency days": "平均距上次购买天数", "mean purchases": "平均购买次数", "mean spend": "平均消费额",
    "value tier": "价值分层", "spend level": "消费等级", "member card": "会员卡等级", "lifecycle": "生命周期阶段",
    "median typical gap (days)": "典型购买间隔中位数（天）", "cluster": "行为聚类",
    "median recency days": "距上次购买天数中位数", "median purchases": "购买次数中位数",
    "median spend": "消费额中位数", "name": "名称", "recency (days, at most)": "最近购买（最多天数）",
    "purchases (at least)": "购买次数（至少）", "spend (at least)": "消费额（至少）",
    "cells": "覆盖格数", "last purchase": "最近购买", "spend": "消费额", "clv decile": "CLV 十分位",
    "clv": "客户终身价值 CLV", "mean P(alive)": "平均存活概率", "share of clv": "CLV 占比",
    "cumulative share": "累计占比", "repeat purchases": "复购次数", "p alive": "存活概率",
    "expected purchases": "预期购买次数", "expected order value": "预期客单价", "total clv": "CLV 合计",
    "mean clv": "平均 CLV", "model": "模型", "actual purchases": "实际购买次数", "predicted purchases": "预测购买次数",
    "estimate": "估计值", "total error": "总误差", "sees dropout": "能识别流失", "mae": "MAE", "rmse": "RMSE", "quantity": "指标", "p05": "5% 分位", "p95": "95% 分位",
    "action": "行动", "in budget": "在预算内", "mean churn probability": "平均流失概率", "value at risk": "风险价值",
    "value level": "未来价值等级", "risk tier": "风险等级", "priority": "优先级", "days since last purchase": "距上次购买天数",
    "churn probability": "流失概率", "reason": "原因", "scorer": "评分方法", "kind": "类型", "churn rate": "流失率",
    "roc auc": "ROC-AUC", "pr auc": "PR-AUC", "brier": "Brier", "top decile lift": "前10%提升度",
    "top decile capture": "前10%捕获率", "fold": "折", "trained on cutoffs": "训练截止日",
    "tested at cutoff": "测试截止日", "test labels: purchases until": "测试标签：观察购买至",
    "last purchase date": "最近购买日期", "typical gap days": "典型购买间隔（天）", "favourite channel": "常用渠道",
    "favourite category": "常购品类", "value if retained": "留住后的价值",
    "first purchase": "首次购买", "tenure days": "客龄（天）", "recency days": "距上次购买天数",
    "total spend": "累计消费额", "avg spend": "平均每次消费额", "interval mean days": "平均购买间隔（天）",
    "interval median days": "购买间隔中位数（天）", "r score": "R 分", "f score": "F 分", "m score": "M 分",
    "rfm cell": "RFM 组合", "rhythm": "判断依据", "cluster name": "聚类名称", "n channels": "渠道数",
    "n categories": "品类数", "return rate": "退货率",
    "p purchase 7d": "7天内购买概率", "p purchase 30d": "30天内购买概率", "p purchase 90d": "90天内购买概率",
    "p purchase due window": "近期购买概率", "wait low days": "等待天数（25%）", "wait median days": "等待天数（中位）",
    "wait high days": "等待天数（75%）", "expected next purchase": "预计下次购买日期", "predicted by": "预测方法",
    "due soon": "即将购买", "due reason": "即将购买的原因", "next best offer": "最佳推荐品类", "offer reason": "推荐理由",
    "offer send on": "推荐发送日期", "other offers": "其他推荐", "offer method": "推荐方法", "offer product": "推荐商品",
"hit rate": "命中率", "recall": "召回率", "hit rate gain": "命中率提升",
    "recall gain": "召回率提升", "mae days": "平均误差（天）", "buyers": "回购客户数",
    "mae days buyers": "回购客户平均误差（天）", "median error days buyers": "回购客户误差中位数（天）",
    "balanced mae days": "均衡平均误差（天）", "mae days others": "未回购客户平均误差（天）",
    "within 14 days buyers": "回购客户14天内命中率", "item": "品类", "after days": "已购买天数", "next item": "下一次购买品类",
    "share": "占比", "lift": "提升度", "followed": "次数", "median gap days": "间隔中位数（天）", "antecedent": "品类 A",
    "consequent": "品类 B", "baskets": "购物篮数", "support": "支持度", "confidence": "置信度", "predictor": "预测方法",
    "method": "方法", "bucket": "购买时长分段", "rise": "增幅",
    "held for review": "预警待核查", "send date": "发送日期", "offer": "推荐品类",
    "group": "组别", "cost": "成本", "campaign start": "活动开始日期", "outcome days": "结果观察天数",
    "control share": "对照组比例", "treatment": "干预组", "control": "对照组", "baseline conversion": "基准转化率",
    "mde conversion": "最小可检测转化提升", "baseline revenue": "基准人均销售额", "mde revenue": "最小可检测销售额提升",
    "customers needed": "所需客户数", "too small": "样本不足", "conversion treatment": "干预组转化率",
    "conversion control": "对照组转化率", "conversion lift": "转化提升", "conversion low": "转化提升下限",
    "conversion high": "转化提升上限", "relative lift": "相对提升", "p value": "p 值", "p holm": "p 值（Holm 校正）",
    "significant": "显著", "revenue treatment": "干预组人均销售额", "revenue control": "对照组人均销售额",
    "revenue lift plain": "人均销售额提升（未调整）", "revenue low plain": "未调整提升下限",
    "revenue high plain": "未调整提升上限", "revenue lift": "人均销售额提升（CUPED）", "revenue low": "销售额提升下限",
    "revenue high": "销售额提升上限", "incremental customers": "增量客户数", "incremental revenue": "增量销售额",
    "incremental margin": "增量毛利", "margin per cost": "每单位成本带来的毛利", "margin per cost low": "毛利/成本下限",
    "margin per cost high": "毛利/成本上限", "cost per incremental customer": "每个增量客户的成本", "paid off": "收回成本",
    "rank": "排名", "converted": "已转化", "p treated": "联系后购买概率", "p control": "不联系购买概率",
    "uplift": "增量效应", "target group": "目标分组", "standardised difference": "标准化差异", "balanced": "均衡",
    "pre period": "活动前指标", "pre spend": "活动前消费额", "pre purchases": "活动前购买次数", "decile": "十分位",
    "predicted uplift": "预测增量效应", "observed uplift": "实际增量效应", "lift points": "提升（百分点）",
    "interval points": "95% 区间（百分点）",
    "share VIP": "VIP占比", "share high potential": "高潜力占比", "share regular": "普通占比", "vip index": "VIP指数",
    "in member table": "在会员表中", "opt in sms": "同意短信", "opt in wechat": "同意微信", "opt in email": "同意邮件",
    "reachable": "可联系", "share reachable": "可联系占比", "points": "积分", "median balance": "积分余额中位数",
    "liability": "积分负债", "top categories": "主要品类", "baby stage": "宝宝阶段", "responses": "回答数",
    "promoters": "推荐者", "passives": "被动者", "detractors": "贬损者", "nps": "NPS", "nps low": "NPS下限",
    "nps high": "NPS上限", "mean satisfaction": "平均满意度", "vip share": "VIP占比", "alert": "预警类型",
    "severity": "严重程度", "evidence": "证据", "order id": "订单号", "first date": "起始日期",
    "last date": "结束日期", "amount": "金额", "robust z": "稳健Z值", "roc auc with": "含问卷 ROC-AUC",
    "roc auc without": "不含问卷 ROC-AUC", "difference": "差值", "test cutoff": "测试截止日",
    "main_store": "主要门店", "top segment": "最大分层", "share top segment": "最大分层占比",
    "life stage": "人生阶段", "life stage basis": "阶段依据", "years": "年数",
    "festival share": "节日购买占比",
    "in this cycle": "本周期联系", "contacted recently": "近期已联系",
    "date": "日期", "nudge": "提醒类型", "period spend": "周期消费", "message": "提醒内容", "next level": "下一等级",
    "moment": "关怀时机", "moment date": "时机日期", "moment send on": "时机发送日", "moment offer": "时机内容",
    "moment value": "时机预期价值", "planned": "已排入联系",
    "store": "门店", "theme": "主题", "language": "语言", "terms": "词语", "examples": "示例评论", "z": "Z值",
    "log odds": "对数优势比", "detractor comments": "贬损者评论数", "promoter comments": "推荐者评论数",
    "comments": "评论数", "share overall": "整体占比", "survey date": "调查日期", "comment": "评论",
    "satisfaction": "满意度", "effect": "NPS 差异（分）", "effect low": "差异下限", "effect high": "差异上限",
    "clv low": "CLV 下限", "clv high": "CLV 上限", "churn probability low": "流失概率下限",
    "churn probability high": "流失概率上限",
}

MESSAGES = {
    # exports
    "`{name}.xlsx` has the first {limit} of the {rows} rows, in the list's order (report.xlsx_max_rows: a sheet "
    "people can open and filter); `{name}.csv` has them all.":
        "`{name}.xlsx` 只含 {rows} 行中按清单顺序的前 {limit} 行（report.xlsx_max_rows：便于打开和筛选的工作表）；"
        "`{name}.csv` 含全部行。",
    "Excel holds {limit} rows, so `{name}.xlsx` has the first {limit} of the {rows}; `{name}.csv` has them all.":
        "Excel 每张工作表最多 {limit} 行，因此 `{name}.xlsx` 只含 {rows} 行中的前 {limit} 行；`{name}.csv` 含全部行。",
    # figures
    "rows in": "输入行", "rows kept": "保留行", "rows": "行数",
    "Cleaning waterfall: where every input row went": "清洗瀑布图：每一行输入数据的去向",
    "revenue": "销售额", "customers": "客户数", "Monthly revenue and active customers": "月度销售额与活跃客户",
    "number of purchases per customer": "每位客户的购买次数",
    "How often customers buy, and what that is worth": "客户购买频次及其贡献",
    "purchase value (log scale)": "单次购买金额（对数刻度）", "purchases": "购买次数", "Purchase values": "单次购买金额分布",
    "repeat purchases in the calibration period": "校准期内的复购次数", "mean purchases in the holdout": "验证期内平均购买次数",
    "Do the models predict each group of customers? (holdout)": "模型能否预测各组客户？（验证期）",
    "{unit} since the first acquisition": "自首批客户获取起的{unit}数", "cumulative repeat purchases": "累计复购次数",
    "Repeat purchases: actual vs predicted through the holdout": "复购次数：验证期内实际与预测对比",
    "repeat purchases so far": "至今复购次数", "{unit} from the first to the last purchase": "首次到最近一次购买的{unit}数",
    "customer lifetime value over the horizon (log scale)": "预测期内的客户终身价值（对数刻度）",
    "How customer value is spread": "客户价值分布", "CLV decile (1 = most valuable 10% of customers)": "CLV 十分位（1 = 最有价值的10%客户）",
    "Where future value is concentrated": "未来价值集中在哪里", "Segments: how many customers, how much revenue": "客户分层：客户数与销售额",
    "number of clusters": "聚类数", "silhouette (higher = better separated)": "轮廓系数（越高区分越清楚）",
    "Choosing the number of behavioural clusters": "选择行为聚类的数量", "purchases (log scale)": "购买次数（对数刻度）",
    "total spend (log scale)": "累计消费额（对数刻度）", "Behavioural clusters": "行为聚类",
    "Behavioural clusters (a random {shown} of {total} customers)": "行为聚类（随机抽取 {total} 位客户中的 {shown} 位）",
    "share of customers (best first)": "客户占比（按价值从高到低）", "share of revenue": "销售额占比",
    "Revenue concentration": "销售额集中度", "predicted churn probability": "预测流失概率",
    "share that really churned": "实际流失比例", "Is the churn probability honest? (Brier {brier})": "流失概率准不准？（Brier {brier}）",
    "drop in ROC-AUC when shuffled": "打乱后 ROC-AUC 的下降", "What drives the churn score": "影响流失评分的因素",
    "-{rows} rows ({money})": "-{rows} 行（{money}）", "{rows} rows": "{rows} 行", "active customers": "活跃客户",
    "new customers": "新客户", "share of customers": "客户占比", "actual": "实际", "end of calibration": "校准期结束",
    "Probability a customer is still active, by history": "按历史行为看客户仍活跃的概率",
    "Expected purchases in the next {unit}, by history": "按历史行为看下一{unit}的预期购买次数",
    "share of CLV": "CLV 占比", "cumulative": "累计", "chosen: {clusters} clusters": "选定：{clusters} 个聚类",
    "if everyone spent the same": "若每位客户消费相同", "perfectly calibrated": "完全校准",
    "{frequency}, {spend}, last bought ~{days} days ago": "{frequency}、{spend}，约 {days} 天前最后购买",
    " (cluster {number})": "（聚类 {number}）",
    "Customers by segment: run {run} (rows) to now (columns)": "客户分层变化：运行 {run}（行）到现在（列）",
    "cohort (month of first purchase)": "同期群（首次购买月份）",
    "Share of each segment's spend by {column}": "各客户分层按{column}的消费占比", "now": "现在", "before": "之前",
    "Share of each monthly cohort buying again, by month since first purchase": "各月同期群在首购后各月的复购比例",
    "months since first purchase": "首购后的月数",
    "Revenue of each cohort relative to its first month": "各同期群销售额相对首月的比例",
    "Mean spend (and customers) by recency and frequency score": "按 R、F 评分的平均消费额（及客户数）",
    "frequency score (5 = most purchases)": "F 评分（5 = 购买最多）", "recency score (5 = most recent)": "R 评分（5 = 最近购买）",
    "segment": "客户分层",
    # the action list's reason
    "no purchase for {days} days": "已 {days} 天未购买", ", {ratio}× their usual {gap}-day gap": "，是其平时 {gap} 天间隔的 {ratio} 倍",
    " since their only purchase": "（自唯一一次购买以来）",
    "{probability} chance of no purchase in {days} days ({tier} risk)": "{days} 天内不再购买的概率 {probability}（{tier}风险）",
    "{value} expected if kept": "留住可带来 {value}", "; ": "；", " and ": "和", ".": "。",
    # findings
    "Data quality: **{kept} of {rows} rows kept** ({share}); {aside} set aside": "数据质量：**{rows} 行中保留 {kept} 行**（{share}）；{aside} 行被隔离",
    ", most for *{rule}* ({rows} rows)": "，最多的原因是*{rule}*（{rows} 行）",
    "; every row and every unit of money is accounted for.": "；每一行、每一分钱都有去向。",
    "; **the rows do not reconcile**.": "；**行数对不上账**。",
    "From {first} to {last}, **{customers} customers** made **{purchases} purchases** worth **{revenue}** (average order {order}).":
        "{first} 至 {last}，**{customers} 位客户**共购买 **{purchases} 次**，金额 **{revenue}**（客单价 {order}）。",
    "**{repeat} of customers bought more than once**; one-time buyers are {customers} of customers and bring {revenue} of revenue.":
        "**{repeat} 的客户有复购**；只买过一次的客户占 {customers}，贡献 {revenue} 的销售额。",
    "{holders} bring **{share} of revenue**.": "{holders}贡献了**{share} 的销售额**。",
    "**{customers} of customers bring {revenue} of revenue.**": "**{customers} 的客户贡献了 {revenue} 的销售额。**",
    "Against their own buying rhythm, **{at_risk} of customers are at risk** and {lapsed} have lapsed; {active} are active and {new} new.":
        "对照各自的购买节奏，**{at_risk} 的客户进入沉睡**，{lapsed} 已流失；{active} 活跃，{new} 为新客。",
    "Over the next {months} months customers are expected to make **{purchases} purchases**{interval}, worth **{clv} in margin** (customer lifetime value, CLV).":
        "未来 {months} 个月预计客户将购买 **{purchases} 次**{interval}，带来毛利 **{clv}**（客户终身价值 CLV）。",
    "The most valuable 10% of customers hold **{share} of that value**.": "最有价值的 10% 客户占**其中的 {share}**。",
    "**{model}** forecast the holdout period best: {predicted} repeat purchases against {actual} that happened ({error}).":
        "**{model}** 对验证期的预测最准：预测复购 {predicted} 次，实际 {actual} 次（{error}）。",
    "{share} of customers are more likely still active than not.": "{share} 的客户更可能仍然活跃。",
    "**{high} customers are at high risk** (the {share} most likely to make no purchase in the next {days} days); they hold {high_risk} of the **{total} value at risk**.":
        "**{high} 位客户为高流失风险**（未来 {days} 天最可能不再购买的 {share}）；他们占**风险价值 {total}** 中的 {high_risk}。",
    "The contact budget of **{budget} customers**, taken by value at risk, covers {share} of it.":
        "按风险价值排序的 **{budget} 位客户**联系预算，覆盖了其中的 {share}。",
    "**{segment}** ({customers} customers, {share})": "**{segment}**（{customers} 位客户，{share}）",
    "**{vips} VIPs** ({share} of customers) bring {revenue} of revenue.": "**{vips} 位高价值客户**（占客户的 {share}）贡献了 {revenue} 的销售额。",
    "Since the last run, **{up} customers moved up** and {down} moved down.": "与上次运行相比，**{up} 位客户升级**，{down} 位降级。",
    "The list is scored by the **{scorer}** model: in the backtest it ranks churners better than any simple score (ROC-AUC {auc} against {baseline_auc} for *{baseline}*).":
        "名单由**{scorer}**模型评分：回测中它对流失客户的排序优于任何简单评分（ROC-AUC {auc}，*{baseline}* 为 {baseline_auc}）。",
    "No model beat the simple score **{scorer}** in the backtest (ROC-AUC {auc} against {model_auc} for the best model), so the list is scored with it.":
        "回测中没有模型胜过简单评分**{scorer}**（ROC-AUC {auc}，最佳模型 {model_auc}），因此名单用它评分。",
    "Top actions by value at risk: ": "按风险价值排在前面的行动：", "*{action}* ({customers} customers)": "*{action}*（{customers} 位客户）",
    # front page
    " (90% interval {low}–{high} purchases)": "（90% 区间 {low}–{high} 次购买）",
    "a simple baseline: no model beat it": "简单基准评分：没有模型胜过它", "best simple baseline {auc}": "最佳简单基准 {auc}",
    "Customer analytics: {name}": "客户分析：{name}", "customers, {first} to {last}": "位客户，{first} 至 {last}",
    "revenue from {purchases} purchases": "销售额，来自 {purchases} 次购买",
    "of rows kept; {rows} set aside with a reason": "的行被保留；{rows} 行被隔离并注明原因",
    "customers at high risk of churning": "位客户流失风险高",
    "value at risk (value if kept × churn probability)": "风险价值（留住后的价值 × 流失概率）",
    "{first} to {last}": "{first} 至 {last}", "(not ingested)": "（尚未导入）",
    "ROC-AUC of the churn score ({scorer}); ": "流失评分的 ROC-AUC（{scorer}）；",
    "Run {run} · data {period} · config {config} · finished {finished}": "运行 {run} · 数据 {period} · 配置 {config} · 完成于 {finished}",
    "What to do first": "优先行动", "action": "行动", "in this campaign's budget": "本次活动预算内",
    "CRM import": "导入 CRM", "Read the report →": "阅读报告 →", "Run details": "运行详情", "stage": "阶段",
    "status": "状态", "time": "耗时", "note": "备注",
    "{n} warnings were logged while the stages ran; they are in run.log.": "运行各阶段时记录了 {n} 条警告，详见 run.log。",
    "Every artifact is described in the data dictionary (docs/data_dictionary.md of the workbench); the run's settings are in config.yaml, its record in manifest.json, what the engines printed in run.log.":
        "每个产出文件都在数据字典（工作台的 docs/data_dictionary.md）中有说明；本次运行的设置见 config.yaml，运行记录见 manifest.json，引擎输出见 run.log。",
    # 01 ingest
    "01 · Ingest: what is in the data, and what did cleaning do?": "01 · 数据导入：数据里有什么，清洗做了什么？",
    "The raw transaction log is read exactly as exported (CSV, Parquet or Excel, any column names), mapped to the workbench's columns and cleaned rule by rule. **Every row is accounted for**: it is either kept, or set aside in the quarantine with the name of the rule it broke. Nothing in the raw file is changed.":
        "原始交易流水按导出时的样子读取（CSV、Parquet 或 Excel，列名不限），映射到工作台的标准字段并逐条规则清洗。**每一行都有去向**：要么保留，要么放入隔离区并注明违反的规则。原始文件不做任何改动。",
    "What we found": "主要发现", "Where the rows went": "数据行的去向",
    "Each cleaning rule is applied in order; a row set aside by one rule is not counted again by a later one.":
        "清洗规则按顺序执行；被某条规则隔离的行不会被后面的规则重复计数。",
    "{lines} return lines ({money}) were netted against the purchase they return (the customer's latest earlier "
    "purchase, of the same product when the data has products), so returned money does not count as spend.":
        "{lines} 条退货（{money}）已与其所退的购买冲抵（该客户之前最近一次购买；数据含商品时为同一商品的购买），退回的金额不计入消费。",
    "{lines} lines above {threshold}, the largest {share} of line amounts (`cleaning.extreme_quantile`), are marked `is_extreme` (kept) for review; the extreme-order alerts of 02_segment judge whole orders against the store's typical order instead.":
        "{lines} 行金额高于 {threshold}（行金额最大的 {share}，`cleaning.extreme_quantile`），已标记 `is_extreme`（保留）供复核；02_segment 的极端订单预警则是把整笔订单与本店的典型订单比较。",
    "The rows set aside are kept, as given, in `artifacts/quarantine.parquet` with the rule each broke and its file and row number; they are not shown in this report because they can hold personal data.":
        "被隔离的行原样保存在 `artifacts/quarantine.parquet` 中，并注明违反的规则、所在文件和行号；因其可能包含个人信息，本报告不展示。",
    "How often customers buy": "客户购买频次",
    "One-time buyers are {customers} of customers but bring only {revenue} of revenue: turning a first purchase into a second is the first lever of any CRM programme.":
        "只买过一次的客户占 {customers}，却只贡献 {revenue} 的销售额：促成第二次购买是任何 CRM 计划的第一抓手。",
    "Revenue peaked in {peak} at {revenue}; in the last month of the data ({last}) {active} customers bought, {new} of them for the first time.":
        "销售额在 {peak} 达到峰值 {revenue}；数据最后一个月（{last}）有 {active} 位客户购买，其中 {new} 位是首次购买。",
    "Appendix: the reconciliation, checked": "附录：对账校验",
    "The stage stops if rows or money do not balance: rows in = rows kept + rows set aside (duplicates included); the return lines netted against their purchases are among the kept rows. These figures are checked on every test run: {verdict}.":
        "行数或金额对不上时本阶段会停止：输入行 = 保留行 + 隔离行（含重复行）；与所退购买冲抵的退货行包含在保留行中。每次测试都会校验这些数字：{verdict}。",
    "rows and money balance": "行数与金额均平衡", "the rows or the money do not balance": "行数或金额不平衡",
    "kept": "保留", "set aside": "隔离", "of which duplicates": "其中重复行",
    "of the kept, return lines netted": "保留行中已冲抵的退货行",
    "balanced: rows {rows}, money {money}": "是否平衡：行数 {rows}，金额 {money}", "money": "金额", "period": "期间",
    "lines": "行数", "average order value": "客单价", "purchases per customer": "人均购买次数", "repeat customer share": "复购客户占比",
    "Next": "下一步",
    "The clean transactions (`artifacts/transactions.parquet`) feed `02_segment` (who our customers are), `03_clv` (what each is worth) and `04_churn` (who is about to leave, and what to do).":
        "清洗后的交易（`artifacts/transactions.parquet`）供 `02_segment`（客户是谁）、`03_clv`（每位客户值多少）和 `04_churn`（谁将流失、该怎么做）使用。",
    # 02 segment
    "02 · Segments: who are our customers?": "02 · 客户分层：我们的客户是谁？",
    "Every customer gets, as of the analysis date, a **named segment** from how recently, how often and how much they bought; a **value tier** (VIP / high potential / regular) and a **spend level**; a **lifecycle stage** (new → active → at risk → lapsed) judged against their own buying rhythm; and a **behavioural cluster**. The report ends with cohort retention, revenue concentration, the channel and category mix, and who moved between segments since the last run.":
        "截至分析日，每位客户都会得到：按最近购买、购买频次和消费金额划分的**客户分层**；**价值分层**（高价值 / 高潜力 / 普通）和**消费等级**；对照其自身购买节奏判断的**生命周期阶段**（新客 → 活跃 → 沉睡 → 流失）；以及**行为聚类**。报告最后是同期群留存、销售额集中度、渠道与品类结构，以及与上次运行相比的分层变化。",
    "Analysis date {date}: {customers} customers with at least one purchase.": "分析日 {date}：共 {customers} 位有购买记录的客户。",
    "1. Segments": "1. 客户分层",
    "Each customer is placed by **R**ecency (days since the last purchase), **F**requency (number of purchases) and **M**onetary value (total spend); the rules in the appendix turn these into a segment name. What to do with each customer is decided once, in `04_churn`, from their segment, value and churn risk together, so a customer never receives two different actions.":
        "每位客户按 **R**（距上次购买天数）、**F**（购买次数）和 **M**（累计消费额）定位；附录中的规则据此给出分层名称。对每位客户采取什么行动，只在 `04_churn` 中结合分层、价值和流失风险统一决定一次，因此一位客户不会收到两种不同的行动。",
    "The largest group is **{segment}**: {customers} of customers, {revenue} of revenue.": "人数最多的是**{segment}**：占客户的 {customers}，销售额的 {revenue}。",
    "**{segment}**: {customers} customers who used to buy often and have not bought for {days} days on average; {revenue} of revenue.":
        "**{segment}**：{customers} 位曾经常购买、平均已 {days} 天未购买的客户；贡献 {revenue} 的销售额。",
    "Each cell is the mean spend of the customers with that recency and frequency score; the number below it is how many customers the cell holds. Cells without customers are blank.":
        "每格是该 R、F 评分组合客户的平均消费额，下方数字是该格的客户数。没有客户的格子留空。",
    "2. Value tiers and spend levels": "2. 价值分层与消费等级",
    "Spend levels by cumulative spend (thresholds in `segment.spend_levels`; not the store's member card):": "按累计消费划分的消费等级（门槛见 `segment.spend_levels`；不是门店的会员卡等级）：",
    "VIPs spend at least {spend} over at least {purchases} purchases: **{vips} customers ({share}) bring {revenue} of revenue**. High potential customers spend at least {potential} or have made at least {purchases} purchases, but are not VIPs (yet).":
        "高价值客户累计消费至少 {spend} 且至少购买 {purchases} 次：**{vips} 位客户（{share}）贡献了 {revenue} 的销售额**。高潜力客户累计消费至少 {potential} 或至少购买 {purchases} 次，但（尚）未达到高价值。",
    "VIPs spend at least {spend} over at least {purchases} purchases; nobody qualifies yet.": "高价值客户累计消费至少 {spend} 且至少购买 {purchases} 次；目前还没有客户达到。",
    "3. Lifecycle stages": "3. 生命周期阶段",
    "A customer is **new** when their first purchase is at most {new_days} days old. Otherwise the days since their last purchase are compared with their *typical gap* between purchases: **active** up to {at_risk}× the gap, **at risk** up to {lapsed}× the gap, **lapsed** beyond. {own} of customers (those with three or more purchases) are judged against their own median gap; the others against the typical gap of all repeat buyers, {gap} days.":
        "首次购买不超过 {new_days} 天的客户为**新客**。其他客户用距上次购买天数对比其*典型购买间隔*：不超过间隔的 {at_risk} 倍为**活跃**，不超过 {lapsed} 倍为**沉睡**，超过则为**流失**。{own} 的客户（购买三次及以上）按本人的间隔中位数判断；其余客户按全部复购客户的典型间隔 {gap} 天判断。",
    "4. Behavioural clusters": "4. 行为聚类",
    "Segments follow fixed rules; clusters are groups the data forms by itself (k-means on recency, frequency and spend). Each cluster is named by how its median customer compares with the median of all customers.":
        "分层遵循固定规则；聚类则是数据自己形成的群组（对最近购买、频次和消费做 k-means）。每个聚类按其中位客户与全体客户中位数的比较来命名。",
    "5. Cohort retention": "5. 同期群留存",
    "On average **{customers}** of a cohort buys again in the third month after its first purchase; revenue in that month is {revenue} of the first month's.":
        "平均而言，同期群中有 **{customers}** 的客户在首购后第三个月再次购买；当月销售额为首月的 {revenue}。",
    " {cohorts} cohorts with fewer than {minimum} customers are left out (too few to read a rate).":
        "少于 {minimum} 位客户的 {cohorts} 个同期群未列出（人数太少，比例没有意义）。",
    "**{customers} of customers bring {share} of revenue**; the best {top} bring {revenue}.": "**{customers} 的客户贡献了 {share} 的销售额**；最好的 {top} 客户贡献了 {revenue}。",
    "6. Revenue concentration": "6. 销售额集中度", "7. Channel and category mix per segment": "7. 各分层的渠道与品类结构",
    "The data has no channel or category column (map them in the config's `columns:` section).": "数据中没有渠道或品类字段（可在配置的 `columns:` 中映射）。",
    "8. Who moved since the last run?": "8. 与上次运行相比，谁的分层变了？",
    "No earlier run to compare with (set `segment.compare_with` to a run id or `latest`).": "没有可比较的历史运行（将 `segment.compare_with` 设为某个运行编号或 `latest`）。",
    "Scored with run {run}'s boundaries: **{up} customers moved up**, **{down} moved down**, {changed} changed segment, {new} are new and {gone} are no longer in the data.":
        "按运行 {run} 的分界重新评分：**{up} 位客户升级**，**{down} 位降级**，{changed} 位换了分层，{new} 位是新客户，{gone} 位不再出现在数据中。",
    "Appendix: how scores and segments are given, checked": "附录：评分与分层规则及校验",
    "**Scores.** On each axis a customer's score is 1 + ⌊5 × share of customers with a strictly worse value⌋ (at most 5). Customers with equal values always get equal scores, so when many share a value (most customers bought only once) they keep the same score instead of being split arbitrarily. The boundaries below are kept with the run (`segment_thresholds.json`), so a later run can score new data on the same boundaries.":
        "**评分。** 每个维度上，客户得分为 1 + ⌊5 × 严格差于该客户的客户占比⌋（最高 5 分）。取值相同的客户得分总是相同，因此当很多客户取值相同（多数客户只买过一次）时，不会被随意拆开。下面的分界随本次运行保存（`segment_thresholds.json`），以后的运行可以按相同分界给新数据评分。",
    "**The eight classes** (`segment.scheme: cn8`): each customer is recent or not, frequent or not, and high-spending or not, against the population's {center}; every customer falls in exactly one class.":
        "**RFM 八类客户**（`segment.scheme: cn8`）：对照全体客户的{center}，每位客户在最近购买、购买频次、消费金额上各分高低，恰好落入一类。",
    "**Segment rules**, checked in order; the first that matches a customer's R, F and M scores names their segment. ":
        "**分层规则**按顺序检查；第一条与客户 R、F、M 评分相符的规则决定其分层。",
    "Every one of the 125 R×F×M combinations gets exactly one segment, and every segment can be reached.": "125 种 R×F×M 组合都恰好对应一个分层，且每个分层都可能出现。",
    "**Clusters.** k-means on standardised log recency, frequency and spend. The number of clusters is the one with the best *silhouette*: how much closer customers are to their own cluster than to the next one (1 is perfect, 0 is no structure).":
        "**聚类。** 对标准化后的对数最近购买天数、频次和消费额做 k-means。聚类数取*轮廓系数*最高者：客户离本聚类比离最近的其他聚类近多少（1 为完美，0 为没有结构）。",
    "customers per score": "各评分的客户数", "{n} clusters:": "{n} 个聚类：",
    "`artifacts/segments.parquet` (and `segments.csv`) hold every customer's scores, segment, tier, level, lifecycle stage and cluster; `segment_thresholds.json` the score boundaries. Every column is described in the data dictionary (`docs/data_dictionary.md`).":
        "`artifacts/segments.parquet`（及 `segments.csv`）保存每位客户的评分、分层、价值分层、会员等级、生命周期阶段和聚类；`segment_thresholds.json` 保存评分分界。每个字段在数据字典（`docs/data_dictionary.md`）中都有说明。",
    # 03 clv
    "03 · Customer lifetime value: what is each customer worth, and who is still active?": "03 · 客户终身价值：每位客户值多少，谁仍然活跃？",
    "In retail nobody cancels a subscription: customers quietly stop coming back. We model each customer's buying as two processes, how often they buy while they are still a customer and when they stop, with the models of the `lifetimes` package, and their spend per order. **Customer lifetime value (CLV)** here is the expected margin a customer brings over the coming months, discounted to today and weighted by the chance they are still a customer.":
        "零售业没有人会“退订”：客户只是悄悄不再回来。我们用 `lifetimes` 包的模型把每位客户的购买看作两个过程——仍是客户时多久买一次、何时不再购买——再加上每单消费额。这里的**客户终身价值**（CLV）是客户在未来几个月预期带来的毛利，折现到今天，并按其仍是客户的概率加权。",
    "1. What customers are worth": "1. 客户值多少",
    "CLV covers the next **{months} months**, at a {margin} margin, discounted at {discount} a month; it is {total} in total, {mean} per customer on average.":
        "CLV 覆盖未来 **{months} 个月**，毛利率 {margin}，每月折现 {discount}；合计 {total}，平均每位客户 {mean}。",
    "The most valuable customers, and whether they are still with us": "最有价值的客户，以及他们是否仍然活跃",
    "Value by segment (from 02_segment)": "各分层的价值（来自 02_segment）",
    "02_segment has not run in this run folder, so CLV is not broken down by segment.": "本次运行未执行 02_segment，因此 CLV 未按分层拆分。",
    "2. Who is still active?": "2. 谁仍然活跃？",
    "**P(alive)** is the probability that a customer has not silently stopped buying from us, given how often they used to buy and how long it has been since their last purchase. A customer who used to buy every month and has not been seen for a year has a low P(alive); an occasional buyer with the same silence may still be active.":
        "**存活概率 P(alive)** 是根据客户过去的购买频率和距上次购买的时间，判断其尚未悄悄离开的概率。以前每月都买、已一年没出现的客户存活概率低；偶尔才买的客户沉默同样久，可能仍然活跃。",
    "{share} of customers have P(alive) of at least {threshold}. Time in these figures is in {unit}.": "{share} 的客户存活概率不低于 {threshold}。图中时间单位为{unit}。",
    "3. How far to trust the forecast": "3. 预测有多可信",
    "The models are fitted on a **calibration** period and their forecasts compared with what really happened in the **holdout** period that followed. *MAE* (mean absolute error) is how many purchases the forecast is off per customer on average; *RMSE* weighs large misses more; *total error* is how far the forecast of all holdout purchases together is off, as a share.":
        "模型在**校准期**上拟合，再把预测与随后**验证期**的真实情况对比。*MAE*（平均绝对误差）是每位客户平均预测偏差的购买次数；*RMSE* 对大偏差更敏感；*总误差*是验证期总购买次数预测的相对偏差。",
    "Calibration: customers acquired up to **{end}** ({customers}); holdout: {end} to {date} ({length} {unit}). Over the holdout these customers made **{actual}** repeat purchases; {model} predicted **{predicted}** ({error}), off by {mae} purchases per customer on average. It forecasts the CLV above.":
        "校准期：截至 **{end}** 获取的客户（{customers} 位）；验证期：{end} 至 {date}（{length} {unit}）。验证期内这些客户实际复购 **{actual}** 次；{model} 预测 **{predicted}** 次（{error}），平均每位客户偏差 {mae} 次。上面的 CLV 即由它预测。",
    "4. How sure are we?": "4. 把握有多大？",
    "The bootstrap is off (clv.bootstrap_samples is 0), so the forecast has no interval.": "未启用自助法（clv.bootstrap_samples 为 0），因此预测没有区间。",
    "We refit the models on bootstrap samples of customers (drawn with replacement) to see how much the forecast moves. The next {months} months bring **{purchases} purchases** (90% interval {low} to {high}), worth **{revenue}** in revenue before margin and discounting ({revenue_low} to {revenue_high}; {fits} bootstrap fits). The parameters' intervals are in the appendix, beside their estimates.":
        "我们对客户做有放回的自助抽样并重新拟合模型，看预测会变动多少。未来 {months} 个月预计 **{purchases} 次购买**（90% 区间 {low} 至 {high}），销售额（未计毛利率和折现）**{revenue}**（{revenue_low} 至 {revenue_high}；{fits} 次自助拟合）。参数的区间见附录，与其估计值并列。",
    "Each refit saw {per_fit} customers drawn from the {customers} (clv.bootstrap_max_customers); the spread of its forecasts around the forecast on all customers, narrowed by the square root of the sample sizes' ratio, gives the interval (an m-out-of-n bootstrap).":
        "每次重新拟合只用从 {customers} 位客户中抽取的 {per_fit} 位（clv.bootstrap_max_customers）；其预测围绕全部客户预测值的波动，按两个样本量之比的平方根缩小后，给出上述区间（m-out-of-n 自助法）。",
    "Appendix: the models and their parameters, checked": "附录：模型及其参数校验",
    "**BG/NBD**, **Pareto/NBD** and **MBG/NBD** describe buying with two parts. While active, a customer buys at their own rate; rates across customers follow a gamma distribution with shape *r* and scale *α* (alpha, in time units). They stop buying after any purchase with a probability drawn from a beta distribution with parameters *a* and *b* (BG/NBD, MBG/NBD), or at a random time with a gamma-distributed rate of shape *s* and scale *β* (beta) (Pareto/NBD).":
        "**BG/NBD**、**Pareto/NBD** 和 **MBG/NBD** 把购买分为两部分。活跃时，客户按自身的频率购买；不同客户的频率服从形状 *r*、尺度 *α*（alpha，时间单位）的伽马分布。客户在每次购买后以服从参数 *a*、*b* 的贝塔分布的概率停止购买（BG/NBD、MBG/NBD），或在随机时刻停止，其速率服从形状 *s*、尺度 *β*（beta）的伽马分布（Pareto/NBD）。",
    "**Gamma-Gamma** describes spend per order with shape *p*, *q* and scale *γ* (gamma); in the bootstrap table they are `gg_p`, `gg_q`, `gg_v`. It assumes spend per order does not depend on how often a customer buys.":
        "**Gamma-Gamma** 用形状 *p*、*q* 和尺度 *γ*（gamma）描述每单消费额；在自助法表中记为 `gg_p`、`gg_q`、`gg_v`。它假设每单消费额与购买频率无关。",
    "The inputs per customer are *frequency* (repeat purchases), *recency* (time from the first to the last purchase) and *T* (time from the first purchase to the end of the period), in the time unit of the config.":
        "每位客户的输入为 *复购次数*（`frequency`）、*最近购买*（`recency`，首次到最近一次购买的时间）和 *观察时长*（`T`，首次购买到期末的时间），时间单位按配置。",
    "**{model} could not be fitted:** {message}": "**{model} 无法拟合：** {message}",
    "Gamma-Gamma is fitted on **{fitted}** repeat buyers; customers without a repeat purchase ({no_repeat}) get the population average, and {non_positive} without positive repeat spend are left out. The correlation between purchase frequency and order value is **{correlation}**: ":
        "Gamma-Gamma 在 **{fitted}** 位复购客户上拟合；没有复购的客户（{no_repeat} 位）取总体平均，{non_positive} 位复购消费不为正的客户不参与。购买频率与客单价的相关系数为 **{correlation}**：",
    "small, so the assumption holds.": "很小，假设成立。",
    "**not small: treat the spend forecasts with caution** (frequent buyers spend differently).": "**不小：消费预测需谨慎**（高频客户的消费习惯不同）。",
    "on {n} repeat buyers": "基于 {n} 位复购客户", "chosen by holdout {metric}: {model}": "按验证期 {metric} 选定：{model}",
    "customers {customers}; expected purchases {purchases}; total CLV {clv}; mean P(alive) {alive}": "客户 {customers}；预期购买 {purchases}；CLV 合计 {clv}；平均存活概率 {alive}",
    "`artifacts/clv.parquet` holds every customer's P(alive), expected purchases, expected order value, CLV and CLV decile; `clv_models.json` the fitted parameters. `04_churn` uses CLV to weigh churn risk by what is at stake.":
        "`artifacts/clv.parquet` 保存每位客户的存活概率、预期购买次数、预期客单价、CLV 及其十分位；`clv_models.json` 保存拟合参数。`04_churn` 用 CLV 衡量流失风险背后的价值。",
    # 04 churn
    "04 · Churn: who will stop buying, what do we do about it, and how far can we trust the score?": "04 · 流失预警：谁会不再购买，我们怎么做，评分有多可信？",
    "A customer has **churned** at a date when they bought before it but make **no purchase in the following days** (the horizon set in the config). Every customer gets a churn probability, a risk tier, the value at stake and **one action**, decided by one rule table from their churn risk, value, segment and lifecycle stage. The list is ordered by what an effective action would save, and the contact budget marks who to contact first.":
        "如果客户在某日期之前有购买、但在**之后若干天内没有购买**（天数见配置），即视为在该日期**流失**。每位客户都有流失概率、风险等级、涉及的价值和**一项行动**，行动由一张规则表根据流失风险、价值、分层和生命周期阶段统一决定（分层干预）。名单按有效行动能挽回的价值排序，联系预算标出优先联系的客户。",
    "1. What to do, and for whom": "1. 做什么，对谁做",
    "**Churn probability** is the chance of no purchase in the next {days} days, scored by *{scorer}*. **Risk tiers** are shares of customers: *high* is the {high} most likely to churn, *medium* the next {medium}, *low* the rest, so a tier is a group the team can handle whatever the overall churn rate ({rate} in the backtest). **Value if retained** is what the customer brings over the CLV horizon if they stay: their CLV divided by P(alive), since CLV already counts the chance they have left (without 03_clv: their past spend). **Value at risk** is value if retained × churn probability, the value expected to be lost without action. The **contact budget** ({budget} customers, `churn.contact_budget`) takes customers by value at risk, highest first.":
        "**流失概率**是未来 {days} 天内不再购买的概率，由*{scorer}*评分。**风险等级**按客户占比划分：*高*为最可能流失的 {high}，*中*为其后的 {medium}，其余为*低*，因此无论整体流失率多高（回测中为 {rate}），每个等级都是团队能处理的规模。**留住后的价值**是客户若留下，在 CLV 期间能带来的价值：CLV 除以存活概率，因为 CLV 已计入其离开的可能（没有 03_clv 时为过去消费额）。**风险价值** = 留住后的价值 × 流失概率，即不采取行动预计损失的价值。**联系预算**（{budget} 位客户，`churn.contact_budget`）按风险价值从高到低选取客户。",
    "Customers and value at risk by value level and risk tier:": "按价值等级和风险等级的客户数与风险价值：",
    "2. Can we trust the score?": "2. 评分可信吗？",
    "The score is tested the honest way: trained on earlier dates, evaluated on a later one it has never seen (a *rolling-origin backtest*), against simple scores a CRM team could use without a model. *ROC-AUC* is the chance that a customer who churned is ranked above one who did not (0.5 is a coin toss, 1 is perfect). *PR-AUC* measures how pure in churners the top of the ranking is. The *Brier score* is the mean squared error of a probability (lower is better; – for scores that are not probabilities). *Top-decile lift* is how many times more churners the 10% highest-scored customers hold than a random 10%; *capture* is the share of all churners they hold.":
        "评分用诚实的方式检验：在较早的日期上训练，在从未见过的较晚日期上评估（*滚动起点回测*），并与 CRM 团队不用模型也能用的简单评分比较。*ROC-AUC* 是流失客户排在未流失客户之前的概率（0.5 相当于抛硬币，1 为完美）。*PR-AUC* 衡量排名靠前的客户中流失者有多集中。*Brier 分数*是概率的均方误差（越低越好；非概率评分记为 –）。*前10%提升度*是评分最高的 10% 客户中流失者是随机 10% 的多少倍；*捕获率*是他们占全部流失者的比例。",
    "The best model, **{model}**, reaches a mean ROC-AUC of **{model_auc}**; the best simple score, *{baseline}*, {baseline_auc}. ":
        "最佳模型**{model}**的平均 ROC-AUC 为 **{model_auc}**；最佳简单评分*{baseline}*为 {baseline_auc}。",
    "The model adds information, so it scores the list.": "模型带来了额外信息，因此由它为名单评分。",
    "The model does not beat it, so **the list is scored with {scorer}** (turned into a probability by a one-feature logistic regression, which keeps its ranking).":
        "模型没有胜过它，因此**名单用{scorer}评分**（通过单变量逻辑回归转为概率，排序不变）。",
    "Across the test folds, the {model}'s predicted and observed churn rates differ by at most **{gap}** per group of customers with similar scores (Brier score {brier}).":
        "在各测试折中，{model}对评分相近客户组的预测流失率与实际流失率最多相差 **{gap}**（Brier 分数 {brier}）。",
    "A known trap: 1 − P(alive)": "一个已知陷阱：1 − 存活概率",
    "The BG/NBD model can only conclude that a customer has left *after* a repeat purchase, so it gives every one-time buyer P(alive) = 1 and ranks them as the *safest* customers, although they are the most likely never to come back. Its probability of no purchase in the next days does not have this flaw. ":
        "BG/NBD 模型只能在复购*之后*判断客户是否离开，因此给每位只买过一次的客户存活概率 = 1，把他们排为*最安全*的客户，而他们恰恰最可能不再回来。它的“未来若干天不购买概率”没有这个缺陷。",
    "At the last test date, {buyers} customers ({share}) had bought once. BG/NBD gives them a mean P(alive) of **{alive}**, yet **{churned}** of them churned (against {overall} overall). Ranking by 1 − P(alive) gives a ROC-AUC of **{auc}**.":
        "在最后一个测试日，{buyers} 位客户（{share}）只买过一次。BG/NBD 给他们的平均存活概率为 **{alive}**，但其中 **{churned}** 流失了（整体为 {overall}）。按 1 − 存活概率排序的 ROC-AUC 为 **{auc}**。",
    " That is worse than a coin toss.": "比抛硬币还差。",
    "3. What drives the score": "3. 影响评分的因素",
    "*Permutation importance*: how much the ROC-AUC drops on the last test date when one input's values are shuffled among customers. A large drop means the model relies on that input.":
        "*置换重要性*：在最后一个测试日，把某个输入在客户间随机打乱后 ROC-AUC 下降多少。下降越多，说明模型越依赖该输入。",
    "The score relies most on *{feature}* (ROC-AUC drops by {drop} without it)": "评分最依赖*{feature}*（去掉后 ROC-AUC 下降 {drop}）",
    "; channel, category and return behaviour also enter the model.": "；渠道、品类和退货行为也进入了模型。",
    "; the data has no channel, category or return information, so only purchase history drives it.": "；数据中没有渠道、品类或退货信息，因此只由购买历史决定。",
    "Appendix: backtest design and checks": "附录：回测设计与校验",
    "Every training label window ends on or before its fold's test date, so no model ever sees the period it is evaluated on; features use only transactions up to their date.":
        "每个训练标签窗口都在该折测试日或之前结束，因此模型从未见过评估它的时期；特征只使用截至当日的交易。",
    "**Action rules** (`churn.action_rules`); the first that matches a customer gives their action. ": "**行动规则**（`churn.action_rules`）：第一条与客户相符的规则决定其行动。",
    "Rules {rules} are never reached: earlier rules catch every case.": "规则 {rules} 永远不会被用到：前面的规则已覆盖所有情况。",
    "Every rule can be reached.": "每条规则都可能被用到。",
    "ROC-AUC per fold (test dates: {dates})": "各折 ROC-AUC（测试日：{dates}）",
    "customers {customers}; in budget {budget}; scored by {scorer}": "客户 {customers}；预算内 {budget}；评分方法 {scorer}",
    "one action per customer: {ok}": "每位客户一项行动：{ok}",
    # action rules in words
    "rule {number}: {action} when ": "规则 {number}：{action}，条件：",
    "< {days} days ago": "{days} 天以内", ">= {days} days ago": "{days} 天及以上", "> {value}": "> {value}", "<= {value}": "≤ {value}", "no rule above matches": "以上规则都不匹配",
    "{name} is {values}": "{name}为{values}", " or ": "或", ", ": "，", "risk": "风险等级", "value": "价值等级",
    "lifecycle": "生命周期阶段",
    # 05_next_purchase
    "05 · Next purchase: when will each customer buy again, and what should we offer them?":
        "05 · 下次购买：每位客户何时再次购买，应向其推荐什么？",
    "Every customer gets the **probability of a purchase** in the next 7, 30 and 90 days and, if they buy again, the days within which it most likely falls, from the purchase model of 03 ({model}) and from their own rhythm. Offers are the **categories each customer is most likely to buy next**, learnt from what customers bought after what. Both are checked the honest way: forecast at an earlier date with the data up to it, compared with what customers then did.":
        "每位客户都有未来 7、30、90 天内的**购买概率**；若会再次购买，还给出最可能的购买时间范围，依据 03 的购买模型（{model}）和客户本人的购买节奏。推荐的是**每位客户下一步最可能购买的品类**，从“客户买了什么之后又买了什么”中学得。两者都以诚实的方式检验：在较早日期仅用当时的数据预测，再与客户后来的实际行为比较。",
    "1. Who buys soon": "1. 谁即将购买",
    "2. What to offer": "2. 推荐什么",
    "3. The action list, with offers": "3. 附推荐的行动名单",
    "4. Can we trust the timing?": "4. 购买时间的预测可信吗？",
    "Appendix: how the forecasts are made, and checks": "附录：预测方法与核对",
    "**{due} customers are on the reminder list**: due soon (the purchase model gives them at least a {share} chance of buying within {days} days, `next_purchase.due_probability` and `due_days`, or their usual gap between purchases has passed, but by less than one more gap) and not contacted otherwise this cycle. They are the audience for reminders and replenishment offers. The list is `artifacts/due_soon.xlsx` (Excel) and `due_soon.csv`, most likely buyers first.":
        "**{due} 位客户在提醒名单上**：即将购买（购买模型给出其 {days} 天内购买的概率不低于 {share}，见 `next_purchase.due_probability`、`due_days`；或其惯常购买间隔已过、但尚未超过一个间隔），且本周期不会以其他方式联系。他们是提醒和补货推荐的对象。名单见 `artifacts/due_soon.xlsx`（Excel）和 `due_soon.csv`，最可能购买者在前。",
    "In the next 30 days the customers' probabilities add up to **{expected} expected buyers** of {customers}. Half of the customers have less than a {median} chance; the most likely tenth, more than {top}. For a customer who buys again, *wait low / median / high* are the days within which the purchase falls with 25%, 50% and 75% chance. For the typical customer who is more likely active than not ({active} customers), the next purchase most likely falls **between {low} and {high} days from now**.":
        "未来 30 天，{customers} 位客户的购买概率合计为**预计 {expected} 位购买者**。一半客户的概率低于 {median}；最可能购买的前十分之一高于 {top}。对会再次购买的客户，*等待天数（25%／中位／75%）* 表示购买以 25%、50%、75% 的概率落在多少天之内。对较可能仍活跃的典型客户（{active} 位），下次购买最可能在**今后 {low} 到 {high} 天之间**。",
    "The data has no category column, so the workbench cannot learn what customers buy next. Map the category (and the product) of each line in the config, e.g. `category: 品类` and `product_id: 商品ID` under `columns:`, and this section shows the best offer per customer, the learnt category sequences and the bundles.":
        "数据中没有品类列，工作台无法学习客户下一步会买什么。在配置的 `columns:` 下映射每行的品类（及商品），例如 `category: 品类` 和 `product_id: 商品ID`，本节即会给出每位客户的最佳推荐、学到的品类购买序列和组合搭配。",
    "Four ways to choose each customer's {k} offers were tested on the time split: learnt up to {cutoff}, checked against the categories each customer bought in the {days} days after. *Popularity* offers everyone the categories most customers bought lately; *buy again*, the customer's own most frequent categories; *co-purchase*, the categories most often in the same basket as theirs; *sequence*, what customers buy in their next purchase after the categories of their latest one, given how long they have bought each. *Hit rate@{k}*: the share of customers who bought at least one of their {k} offers; *recall@{k}*: the share of the categories they bought that were offered.":
        "按时间切分检验了四种为每位客户选出 {k} 个推荐的方法：用 {cutoff} 之前的数据学习，再与每位客户此后 {days} 天实际购买的品类对照。*热销推荐* 向所有人推荐近期购买客户最多的品类；*复购推荐* 推荐客户本人最常买的品类；*同篮推荐* 推荐最常与其所购品类同篮购买的品类；*购买序列推荐* 根据客户最近一次所购品类及其已购买时长，推荐客户下一次通常会买的品类。*命中率@{k}*：至少买了 {k} 个推荐之一的客户占比；*召回率@{k}*：客户所购品类中被推荐到的占比。",
    "The methods were compared on a seeded random sample of **{checked}** of the {buyers} customers who bought in those days (`next_purchase.offer_check_customers`); every customer gets offers.":
        "各方法的比较基于这段时间内购买过的 {buyers} 位客户中固定随机种子抽取的 **{checked}** 位（`next_purchase.offer_check_customers`）；推荐仍面向全部客户。",
    "**Learnt category sequences**: after a basket holding the first category, customers who had bought it for the stated days bought the second in their next purchase in the stated share of cases; *rise* is how many times more often than just after they started buying the first. Only moves that at least double are shown: those the customer's stage brings (stage-1 formula to stage 2 at six months), not categories bought alongside all along.":
        "**学到的品类购买序列**：购买第一个品类已达所示天数的客户，在下一次购买中购买第二个品类的占比如表所示；*增幅* 是它相对于刚开始购买第一个品类时的倍数。只列出至少翻倍的转换：即由客户所处阶段带来的转换（如宝宝六个月时一段奶粉转二段），而非一直同时购买的品类。",
    "**Bundles** (跨品类捆绑): category pairs bought in the same basket more often than chance. *Support* is the share of all baskets holding both, *confidence* the share of baskets with the first that also hold the second, *lift* how many times more often than if they were unrelated.":
        "**跨品类捆绑**：同一购物篮中一起购买的频率高于随机的品类组合。*支持度* 是同时含两者的购物篮占全部购物篮的比例，*置信度* 是含第一个品类的购物篮中也含第二个的比例，*提升度* 是相对于两者无关时的倍数。",
    "No pair of categories is bought together more often than chance in at least {n} baskets.":
        "没有任何品类组合在至少 {n} 个购物篮中比随机更常被一起购买。",
    "04_churn did not run, so there is no action list to add the offers to; `next_purchase.parquet` holds every customer's forecast and offer.":
        "04_churn 未运行，因此没有可加入推荐的行动名单；`next_purchase.parquet` 包含每位客户的预测与推荐。",
    "The action list of 04 gains each customer's **next best offer**, why, **when to send it** ({lead} days before the expected purchase, or tomorrow when it is already due or not expected), the expected date of the next purchase and the chance of a purchase in 30 days. The first rows (ids masked in this report; the files hold the real ids); the whole list is `artifacts/action_list.xlsx` (Excel) and `action_list.csv` (CRM import).":
        "04 的行动名单增加了每位客户的**最佳推荐**、推荐理由、**发送时间**（预计购买前 {lead} 天；若已到期或预计不会购买，则为明天）、预计下次购买日期和 30 天内购买概率。以下为前几行（本报告中客户ID已脱敏，文件中为真实ID）；完整名单见 `artifacts/action_list.xlsx`（Excel）和 `action_list.csv`（导入 CRM）。",
    "Forecast on **{cutoff}** with the data up to then, checked against the {days} days that followed. The *Brier score* is the mean squared error of a probability (lower is better); the naive forecast gives every customer the share who bought in the {window} days before the cutoff ({rate}).":
        "在 **{cutoff}** 仅用当时的数据预测，再与其后 {days} 天的实际情况核对。*Brier 分数* 是概率的均方误差（越低越好）；朴素预测给每位客户同一个概率：截止日前 {window} 天内购买的客户占比（{rate}）。",
    "Predicted and observed shares of buyers within {window} days differ by at most **{gap}** per group of customers with similar probabilities; the model's Brier score {brier} is {skill} lower than the naive forecast's {base}.":
        "在概率相近的各组客户中，{window} 天内购买者的预测占比与实际占比最多相差 **{gap}**；模型的 Brier 分数 {brier} 比朴素预测的 {base} 低 {skill}。",
    "**The date of the next purchase**, five ways: *model median* is the day by which the purchase model gives even odds of a purchase (none when it never does); *model median if active*, the same assuming the customer is still active; *own rhythm*, their median gap between purchases after their last one; the baselines *last gap* (their latest gap repeated) and *population median gap* (everyone's median gap). A customer with one purchase uses the population's gap for the last two. Errors are capped at the {days}-day window, so a customer who did not come back counts as the window's end. The ways are ranked by the *balanced error*: the mean of the error for the customers who came back and for those who did not, so that neither group hides the other (a way that says 'not soon' to everyone is right for the many who stay away, and no use for reminders).":
        "**下次购买日期**的五种预测：*模型中位日期* 是购买模型给出购买概率达到一半的日期（若永远达不到则为空）；*模型中位日期（假定仍活跃）* 是假定客户仍活跃时的同一日期；*本人购买节奏* 是上次购买后再过其购买间隔中位数；基准方法 *上次间隔*（重复最近一次间隔）和 *整体间隔中位数*（所有客户的间隔中位数）。只购买过一次的客户在后两种方法中使用整体间隔。误差以 {days} 天的窗口为上限，未回购的客户按窗口结束计。各方法按*均衡误差*排序：回购客户与未回购客户各自平均误差的均值，这样任何一组都不会掩盖另一组（对所有人都说“近期不会买”的方法对大量不再回来的客户是对的，但对提醒毫无用处）。",
    "Given a customer's history (repeat purchases x, time of the last one, age T), the BG/NBD family says a customer still active buys at a rate that, after their history, follows a Gamma distribution; the chance of no purchase within t is ((α+T)/(α+T+t))^(r+x), so probabilities and waiting-time quantiles are exact. Pareto/NBD adds a dropout rate: the workbench draws {draws} rate pairs per history and averages (seeded, so reruns agree). Multiplying by P(alive) gives the chance of a purchase. Sequence offers split how long a customer has bought a category into {buckets} buckets of {bucket} days and pull a thin bucket's shares towards the category's overall ones ({shrink} pseudo-baskets).":
        "给定客户的历史（复购次数 x、最近一次购买时间、客龄 T），BG/NBD 类模型认为仍活跃客户的购买率在其历史条件下服从 Gamma 分布；t 时间内不购买的概率为 ((α+T)/(α+T+t))^(r+x)，因此概率和等待时间分位数都是精确的。Pareto/NBD 还有流失率：工作台对每种历史抽取 {draws} 组购买率与流失率并取平均（固定随机种子，重跑结果一致）。再乘以存活概率即为购买概率。购买序列推荐把客户购买某品类的时长分为 {buckets} 段、每段 {bucket} 天，并把样本少的分段的占比向该品类的总体占比收缩（{shrink} 个虚拟购物篮）。",
    "`artifacts/next_purchase.parquet`: every customer's probabilities, expected date, due-soon flag and offers; `due_soon.xlsx` / `.csv`: the reminder list; `action_list.xlsx` / `.csv` / `.parquet`: the action list with offers; with a category column, `category_pairs.parquet` (bundles) and `category_transitions.parquet` (sequences); `demand_forecast.parquet` and `demand_backtest.parquet`: monthly demand per region and its check. Each column is explained in the data dictionary (`docs/data_dictionary.md`).":
        "`artifacts/next_purchase.parquet`：每位客户的购买概率、预计日期、即将购买标记和推荐；`due_soon.xlsx` / `.csv`：提醒名单；`action_list.xlsx` / `.csv` / `.parquet`：附推荐的行动名单；有品类列时还有 `category_pairs.parquet`（组合搭配）和 `category_transitions.parquet`（购买序列）；`demand_forecast.parquet` 和 `demand_backtest.parquet`：分地区月度需求预测及其检验。每个字段在数据字典（`docs/data_dictionary.md`）中都有说明。",
    "About **{expected} customers are expected to buy in the next 30 days** (the sum of their probabilities); **{due} are due soon**: likely to buy within {days} days, or just past their usual gap.":
        "**预计未来 30 天约有 {expected} 位客户购买**（各自购买概率之和）；**{due} 位即将购买**：可能在 {days} 天内购买，或刚超过其惯常购买间隔。",
    "The {model} purchase probabilities held on unseen data: forecast on {cutoff} for the next {window} days, they expected {predicted} buyers (95% range {low}–{high}) and {actual} came.":
        "{model} 购买概率在未参与建模的数据上经受住了检验：在 {cutoff} 预测未来 {window} 天，预计 {predicted} 位购买（95% 范围 {low}–{high}），实际 {actual} 位。",
    "**The {model} purchase probabilities did not hold on unseen data**: forecast on {cutoff} for the next {window} days, they expected {predicted} buyers (95% range {low}–{high}) and {actual} came ({off}); read them as a ranking of who buys first rather than as exact chances.":
        "**{model} 购买概率在未参与建模的数据上未通过检验**：在 {cutoff} 预测未来 {window} 天，预计 {predicted} 位购买（95% 范围 {low}–{high}），实际 {actual} 位（{off}）；请把它们当作谁先购买的排序，而不是精确的概率。",
    " Brier score {brier}, {skill} lower than giving everyone the rate observed in the {window} days before ({rate}).":
        "Brier 分数 {brier}，比给每位客户前 {window} 天实际观察到的购买比率（{rate}）低 {skill}。",
    "For the date of the next purchase, **{chosen}** came closest, the customers who came back within {window} days and those who did not weighing equally: {buyers} days off for the first, {others} for the others (*{baseline}*: {base_buyers} and {base_others}).":
        "预测下次购买日期时，**{chosen}** 最接近（{window} 天内回购与未回购的客户同等计权）：对回购客户平均误差 {buyers} 天，对未回购客户 {others} 天（*{baseline}*：{base_buyers} 天和 {base_others} 天）。",
    "No personal forecast dated the next purchase better than the simple **{chosen}** ({buyers} days off for the customers who came back within {window} days, {others} for the others); the dates in the list use it, and the probabilities are the better guide to who buys.":
        "没有任何个人预测比简单的 **{chosen}** 更准确地预测下次购买日期（对 {window} 天内回购的客户平均误差 {buyers} 天，对其他客户 {others} 天）；名单中的日期采用它，判断谁会购买则以购买概率为准。",
    "The data has no category column, so no offers: map one under `columns.category` in the config (and `columns.product_id` for products) to learn what to offer next.":
        "数据中没有品类列，因此没有推荐：在配置中映射 `columns.category`（商品用 `columns.product_id`），即可学习下一步推荐什么。",
    "Offers: no personal method beat offering everyone the most popular categories (hit rate@{k} {hit}), so the offers are the most popular categories.":
        "推荐：没有任何个性化方法胜过向所有人推荐最热销品类（命中率@{k} {hit}），因此推荐采用最热销品类。",
    "Offers come from **{method}**: on the time split, {hit} of customers bought one of their {k} offers in the next {days} days, **{gain} points more** than the most popular categories ({base}).":
        "推荐来自**{method}**：按时间切分检验，{hit} 的客户在随后 {days} 天内买了其 {k} 个推荐之一，比最热销品类（{base}）**高 {gain} 个百分点**。",
    "Learnt from the data: customers who have bought *{item}* for {start}–{end} days buy *{next_item}* in their next purchase in {share} of cases.":
        "从数据中学到：购买 *{item}* 已 {start}–{end} 天的客户，下一次购买中有 {share} 会买 *{next_item}*。",
    "Strongest bundle: *{a}* with *{b}*, bought together {lift}× as often as by chance ({baskets} baskets).":
        "最强的组合搭配：*{a}* 与 *{b}*，一起购买的频率是随机情况的 {lift} 倍（{baskets} 个购物篮）。",
    "their usual {gap}-day gap passed {days} days ago": "其惯常的 {gap} 天购买间隔已过 {days} 天",
    "{share} chance of a purchase within {days} days": "{days} 天内购买的概率为 {share}",
    "{share} of customers bought {item} in the last {days} days": "近 {days} 天内 {share} 的客户购买了{item}",
    "{item} was in {share} of their purchases": "其 {share} 的购买中包含{item}",
    "they buy {source}; {share} of baskets with {source} also hold {item}": "该客户购买{source}；含{source}的购物篮中 {share} 也含{item}",
    "first bought {source} {days} days ago; {share} of customers at that point buy {item} in their next purchase, typically {gap} days later":
        "{days} 天前首次购买{source}；处于这一阶段的客户中 {share} 在下一次购买中买{item}，通常在 {gap} 天后",
    "Is the purchase probability honest? (Brier {brier})": "购买概率可信吗？（Brier {brier}）",
    "predicted probability of a purchase within {days} days": "预测的 {days} 天内购买概率",
    "share that really bought": "实际购买的占比",
    "purchase model": "购买模型",
    "How close is the predicted date of the next purchase?": "预测的下次购买日期有多准？",
    "mean error in days, capped at the window (lower is better)": "平均误差（天，以窗口为上限；越低越好）",
    "Which offers did customers then buy? (time split)": "客户后来买了哪些推荐？（时间切分检验）",
    "hit rate@{k}": "命中率@{k}", "recall@{k}": "召回率@{k}",
    "What customers buy next, after a basket holding…": "购买某品类后，客户下一次买什么",
    "in the next basket": "下一次购物篮中", "bought in this basket": "本次购物篮中",
    "customers {customers}; due soon {due}; date predictor {predictor}": "客户 {customers}；即将购买 {due}；日期预测方法 {predictor}",
    "expected buyers in 30 days {expected}; time split: expected {predicted}, came {actual}":
        "30 天内预计购买者 {expected}；时间切分检验：预计 {predicted}，实际 {actual}",
    "one row per customer: {ok}": "每位客户一行：{ok}",
    "no category column: no offers": "无品类列：无推荐",
    "offers by {method}": "推荐方法：{method}",
    "customers expected to buy in the next 30 days; {due} due soon": "位客户预计在未来 30 天内购买；{due} 位即将购买",
    "of customers bought one of their offers on the time split ({method}; most popular categories: {base})":
        "的客户在时间切分检验中买了推荐之一（{method}；最热销品类：{base}）",
    "The full list, one action per customer with the reason and the next best offer, highest priority first:":
        "完整名单，每位客户一项行动并附原因和最佳推荐，按优先级排序：",
    "The action list is written by 05_next_purchase, which adds each customer's next best offer; it has not run in this folder.":
        "行动名单由 05_next_purchase 写出（并加入每位客户的最佳推荐）；该阶段尚未在此运行目录中运行。",
    "Customers due to buy soon, for reminders:": "即将购买的客户，用于提醒：",
    "The first customers of the list (ids masked in this report; the files hold the real ids). 05_next_purchase adds each customer's next best offer and writes the whole list as `artifacts/action_list.xlsx` (Excel) and `action_list.csv` (CRM import), one row per customer with the reason for the action.":
        "名单前几位客户（本报告中客户ID已脱敏，文件中为真实ID）。05_next_purchase 会加入每位客户的最佳推荐，并写出完整名单 `artifacts/action_list.xlsx`（Excel）和 `action_list.csv`（导入 CRM），每位客户一行并附行动原因。",
    "`artifacts/churn.parquet`: every customer's features, scores and action; `churn_backtest.parquet`: every fold and scorer. 05_next_purchase adds each customer's next best offer and writes the action list (`action_list.xlsx` / `.csv` / `.parquet`, highest priority first). Each column is explained in the data dictionary (`docs/data_dictionary.md`).":
        "`artifacts/churn.parquet`：每位客户的特征、评分和行动；`churn_backtest.parquet`：每一折、每种评分的回测结果。05_next_purchase 会加入每位客户的最佳推荐并写出行动名单（`action_list.xlsx` / `.csv` / `.parquet`，按优先级排序）。每个字段在数据字典（`docs/data_dictionary.md`）中都有说明。",
    # 06_campaign
    "06 · Campaign: hold out a control group, then measure what the campaign earned": "06 · 营销活动：保留对照组，再评估活动带来的收益",
    "A campaign's effect is what happens to the customers who were contacted **compared with similar customers who were not**. This stage draws a random control group inside each action cell before the campaign (plan), and afterwards compares the two groups on purchases and revenue in the outcome window (measure). This run is in **{mode}** mode (`campaign.mode`).":
        "营销活动的效果，是被联系客户的表现**与未被联系的相似客户相比**的差异。本阶段在活动前于每个行动分组内随机抽取对照组（计划），活动后比较两组在结果观察期内的购买与销售额（评估）。本次运行为**{mode}**模式（`campaign.mode`）。",
    "1. The plan": "1. 活动计划", "2. Can the plan show an effect?": "2. 计划能否检测出效果？",
    "1. What the campaign earned": "1. 活动带来了什么", "2. Checks before trusting the numbers": "2. 采信结果前的检查",
    "3. Who responds: the uplift model": "3. 谁会响应：增量模型", "Appendix: checks": "附录：核对",
    "Campaign start **{start}**, outcome window {days} days. In each action cell a random {share} of customers (at least {minimum} when the cell allows) is held out: **do not contact them**. The plan is `artifacts/campaign_plan.xlsx` (Excel) and `campaign_plan.csv`: the action list with each customer's group. After the window, run `workbench campaign measure` with the newer log.":
        "活动开始日期 **{start}**，结果观察期 {days} 天。每个行动分组中随机保留 {share} 的客户（分组足够大时至少 {minimum} 位）：**不要联系他们**。计划见 `artifacts/campaign_plan.xlsx`（Excel）和 `campaign_plan.csv`：即附每位客户组别的行动名单。观察期结束后，用新的交易数据运行 `workbench campaign measure`。",
    "*Baseline conversion*: the share of the cell's customers expected to buy in the {days}-day window, from the purchase model of 05 (for a 7, 30 or 90-day window; otherwise the share who bought in the last three such windows). *Smallest detectable lift*: the conversion lift a two-sided test at {alpha} significance finds with {power} probability (power), from the group sizes (statsmodels). A cell that cannot detect a {lift}-point lift is flagged with the customers it would need; merge it with another or accept that its effect will stay unknown.":
        "*基准转化率*：该分组客户在 {days} 天窗口内的预期购买比例，来自 05 的购买模型（窗口为 7、30 或 90 天时；否则取最近三个这样的窗口内实际购买的比例）。*最小可检测提升*：根据两组人数（statsmodels），在 {alpha} 显著性水平的双侧检验下以 {power} 的概率（检验功效）能检测出的转化提升。无法检测出 {lift} 个百分点提升的分组会被标出并给出所需客户数；可与其他分组合并，或接受其效果无法确定。",
    "Campaign from **{start}** to **{end}**. *Conversion*: a purchase in the window. Intervals are 95%: Newcombe's for the difference of two proportions; for revenue per customer, which is heavy-tailed, a bootstrap ({samples} resamples) on the CUPED-adjusted revenue (the pre-period spend removes variance the past explains), with the plain estimate beside it. *p (Holm)* corrects for testing several cells. *Margin per cost*: incremental revenue × the profit margin, per unit of contact cost; above 1 the cell paid for itself.":
        "活动期间 **{start}** 至 **{end}**。*转化*：观察期内有购买。区间均为 95%：两个比例之差用 Newcombe 区间；人均销售额分布有长尾，用对 CUPED 调整后销售额的 bootstrap（{samples} 次重抽样）区间（用活动前消费额去除历史可解释的波动），并列出未调整的估计。*p 值（Holm 校正）* 校正了多个分组同时检验的问题。*每单位成本带来的毛利*：增量销售额 × 毛利率，再除以联系成本；大于 1 表示该分组收回了成本。",
    "CUPED narrowed the revenue intervals to {share} of their plain width on average (the plain estimates and intervals are in `campaign_effects.parquet`).":
        "CUPED 使销售额区间平均缩窄到未调整宽度的 {share}（未调整的估计与区间见 `campaign_effects.parquet`）。",
    "**Sample ratio**: {control} of the measured customers are in the control group against {planned} planned (chi-square p = {p}; below 0.001 the assignment was not followed). **Missing**: {missing} of the {customers} customers of the assignment made no purchase before the start and are not measured. **Balance**: before the campaign the groups should look alike; a standardised difference above 0.1 is a warning.":
        "**样本比例**：被评估客户中对照组占 {control}，计划为 {planned}（卡方检验 p = {p}；低于 0.001 说明未按分组执行）。**缺失**：分组名单的 {customers} 位客户中有 {missing} 位在活动开始前没有购买记录，未纳入评估。**均衡性**：活动前两组应相似；标准化差异超过 0.1 即需警惕。",
    "Two models (a *T-learner*): one learns who buys when contacted, one who buys when not, from the customers' behaviour before the campaign; their difference is each customer's *uplift*. Trained on half of the customers and checked on the other half: the Qini curve counts the incremental buyers found when targeting by predicted uplift, against random targeting. `campaign_targets.xlsx` ranks every customer by uplift × value for the next campaign.":
        "两个模型（*T-learner*）：根据客户活动前的行为，一个学习被联系时谁会购买，一个学习未被联系时谁会购买；两者之差即每位客户的*增量效应*。用一半客户训练、另一半检验：Qini 曲线统计按预测增量效应选择目标时找到的增量购买者，并与随机选择比较。`campaign_targets.xlsx` 按增量效应 × 价值为下次活动排序每位客户。",
    "Groups are drawn with the run's random_state, inside each cell separately (stratified), so the same action list gives the same plan. Effects use only the customers of the assignment who bought before the start; the uplift model uses only their behaviour before the start.":
        "分组使用本次运行的 random_state，在每个分组内分别抽取（分层抽样），因此相同的行动名单得到相同的计划。效果评估只使用分组名单中活动开始前有购买的客户；增量模型只使用他们活动开始前的行为。",
    "Plan mode writes `artifacts/campaign_plan.xlsx` / `.csv` / `.parquet` (the action list with groups) and `campaign_power.parquet`; measure mode writes `campaign_effects.parquet` and `campaign_targets.xlsx` / `.csv` / `.parquet`. Each column is explained in the data dictionary (`docs/data_dictionary.md`).":
        "计划模式写出 `artifacts/campaign_plan.xlsx` / `.csv` / `.parquet`（附组别的行动名单）和 `campaign_power.parquet`；评估模式写出 `campaign_effects.parquet` 和 `campaign_targets.xlsx` / `.csv` / `.parquet`。每个字段在数据字典（`docs/data_dictionary.md`）中都有说明。",
    "The campaign plan covers **{customers} customers** in {cells} action cells; **{control} are held out as a random control group** (do not contact) so that the effect can be measured; contact cost {cost}.":
        "活动计划覆盖 {cells} 个行动分组的 **{customers} 位客户**；**{control} 位被随机保留为对照组**（不联系），以便评估效果；联系成本 {cost}。",
    "Overall the plan can detect a conversion lift of **{mde} points** (expected conversion {base} in the {days}-day window) at 95% confidence with {power} power.":
        "整体上，该计划在 95% 置信水平、{power} 检验功效下可检测出 **{mde} 个百分点**的转化提升（{days} 天窗口的预期转化率为 {base}）。",
    "Every cell can detect a lift of {lift} points.": "每个分组都能检测出 {lift} 个百分点的提升。",
    "**{n} cells are too small** to show a {lift}-point lift: ": "**{n} 个分组样本不足**，无法检测出 {lift} 个百分点的提升：",
    "*{cell}* ({customers} customers, would need {needed})": "*{cell}*（{customers} 位客户，需要 {needed} 位）",
    "**Warning: the groups do not have the planned sizes** ({observed} control against {planned} planned, p = {p}); the assignment was not followed, so the effects below may be biased.":
        "**警告：两组人数与计划不符**（对照组 {observed}，计划为 {planned}，p = {p}）；分组未被执行，以下效果可能有偏差。",
    "Overall the campaign changed conversion by **{lift} points** (95% interval {low} to {high}) and revenue per contacted customer by {revenue} ({revenue_low} to {revenue_high}); it earned {margin} of margin for {cost} spent.":
        "整体上，活动使转化率变化 **{lift} 个百分点**（95% 区间 {low} 至 {high}），被联系客户的人均销售额变化 {revenue}（{revenue_low} 至 {revenue_high}）；投入 {cost}，带来毛利 {margin}。",
    "*{cell}*: {lift} points conversion ({low} to {high}); earned **{ratio} margin per {one} spent** (95% interval {ratio_low} to {ratio_high}).":
        "*{cell}*：转化 {lift} 个百分点（{low} 至 {high}）；**每投入 {one} 带来 {ratio} 毛利**（95% 区间 {ratio_low} 至 {ratio_high}）。",
    "Did not pay for itself: {cells}.": "未收回成本：{cells}。",
    "Targeting the {share} of held-out customers with the highest predicted uplift finds {model} incremental buyers, random targeting {random}; ":
        "在检验客户中，选择预测增量效应最高的 {share} 可找到 {model} 位增量购买者，随机选择为 {random} 位；",
    "next time skip the **{sure} sure things** (they buy anyway) and the **{disturb} do-not-disturb** customers (contact lowers their chance).":
        "下次可跳过 **{sure} 位无论如何都会买的客户**和 **{disturb} 位勿打扰客户**（联系反而降低其购买概率）。",
    "Can each cell show an effect?": "每个分组能检测出效果吗？",
    "{low} to {high}": "{low} 至 {high}",
    "The campaign (control groups, or what the last one earned):": "营销活动（对照组分组，或上次活动的收益）：",
    "plausible lift ({lift})": "合理的提升（{lift}）",
    "smallest detectable conversion lift (points)": "最小可检测转化提升（百分点）",
    "What the campaign changed": "活动带来的变化",
    "conversion lift, treatment - control (95% interval)": "转化提升：干预组 − 对照组（95% 区间）",
    "Qini curve: does targeting by uplift beat random?": "Qini 曲线：按增量效应选择目标是否胜过随机？",
    "by predicted uplift": "按预测增量效应", "random targeting": "随机选择", "share of customers targeted": "目标客户占比",
    "incremental buyers": "增量购买者",
    "measured customers {customers}; sample ratio mismatch: {srm}": "评估客户 {customers}；样本比例不符：{srm}",
    "one group per customer: {ok}": "每位客户一个组别：{ok}",
    "smallest detectable lift overall: {mde} points": "整体最小可检测提升：{mde} 个百分点",
    "customers held out as a control group of {customers}; smallest detectable lift {mde} points":
        "位客户被保留为对照组（共 {customers} 位）；最小可检测提升 {mde} 个百分点",
    "points of conversion from the campaign (95% interval {low} to {high}); {margin} margin for {cost} spent":
        "个百分点的转化提升来自活动（95% 区间 {low} 至 {high}）；投入 {cost}，毛利 {margin}",
    # 02 profile, surveys and alerts; 04 survey value; 06 reachability
    'purchases on {day}':
        '{day} 的购买',
    "The BTYD baselines are fitted at each cutoff on a seeded random sample of {sample} of up to {customers} customers (`churn.baseline_fit_customers`), then score every customer: their few parameters are settled long before that, and a Pareto/NBD fit on every customer takes minutes per cutoff.":
        'BTYD 基准模型在每个截止日只用最多 {customers} 位客户中 {sample} 位的固定种子随机样本拟合（`churn.baseline_fit_customers`），再为全部客户评分：它们只有几个参数，远在这个样本量之前就已稳定，而在全部客户上拟合 Pareto/NBD 每个截止日要花几分钟。',
    "At each test date the scorers are tested on a seeded random sample of {sample} of its customers (up to {customers}; `churn.test_max_customers`): a ROC-AUC measured on the sample is within ±{error} of the one on every customer (two standard errors: Hanley and McNeil's, with the finite-population factor).":
        '每个测试日都只在该日客户（最多 {customers} 位）中 {sample} 位的固定种子随机样本上测试各评分方法（`churn.test_max_customers`）：样本上测得的 ROC-AUC 与全部客户上的相差在 ±{error} 以内（两倍标准误：Hanley 与 McNeil 的公式，含有限总体校正）。',
    "Measured on a seeded random sample of {sample} of the {customers} customers of the last test date: each input is shuffled five times, each time a prediction for every customer in the sample.":
        '在最后一个测试日 {customers} 位客户中 {sample} 位的固定种子随机样本上计算：每个输入打乱五次，每次都要为样本中的每位客户预测一遍。',
    "Each fold has up to {rows} training rows; the models train on a seeded random sample of {sample} of them (`churn.max_training_rows`): beyond that, more rows add time and memory, hardly accuracy. Today's scores use every customer.":
        '每一折最多有 {rows} 行训练数据；模型只在其中 {sample} 行的固定种子随机样本上训练（`churn.max_training_rows`）：超过这个数量，更多数据只增加时间和内存，几乎不提高准确度。当日评分使用全部客户。',
    'With {n} customers, each k-means is fitted on a seeded random sample of {sample} (`segment.cluster_fit_sample`) and every customer is assigned to the nearest centre; the silhouette is measured on a sample of 5,000.':
        '共有 {n} 位客户，每次 k-means 都在 {sample} 位客户的固定种子随机样本上拟合（`segment.cluster_fit_sample`），再把每位客户分配到最近的中心；轮廓系数在 5,000 位客户的样本上计算。',
    "Share of each region's customers by spend level":
        '各地区客户的消费等级占比',
    ' ({rows} set aside, most for *{rule}*)':
        '（{rows} 行被隔离，最多的原因是*{rule}*）',
    '{table}: **{kept} of {rows} rows kept**{aside}; {in_log} of the customers in the log are in it.':
        '{table}：**{rows} 行中保留 {kept} 行**{aside}；交易记录中 {in_log} 的客户在其中。',
    'invalid date':
        '日期无效',
    'invalid age':
        '年龄无效',
    'unknown code':
        '未知代码',
    'invalid points':
        '积分无效',
    'duplicate customer id':
        '客户ID重复',
    'invalid score':
        '评分无效',
    'no score':
        '无评分',
    'Abnormal behaviour to review (frequent returns, extreme orders, spend spikes):':
        '需要核查的异常行为（频繁退货、极端订单、消费激增）：',
    'NPS (95% interval {low} to {high}; {n} customers gave a score)':
        'NPS（95% 区间 {low} 至 {high}；{n} 位客户给出评分）',
    '**Extreme orders**: above {value} (the typical order is {typical})':
        '**极端订单**：高于 {value}（典型订单为 {typical}）',
    '**Frequent returns**: at least {n} returns within {days} days, or two or more that give back at least {share} of what was bought in them':
        '**频繁退货**：{days} 天内至少退货 {n} 次，或两次及以上退货且退回其间所购金额的至少 {share}',
    '**NPS {nps}** (95% interval {low} to {high}) from the latest answer of {n} customers: {promoters} promoters (9-10), {detractors} detractors (0-6). Each customer counts once; intervals widen where few answered.':
        '**NPS {nps}**（95% 区间 {low} 至 {high}），来自 {n} 位客户的最近一次回答：推荐者（9-10 分）{promoters}，贬损者（0-6 分）{detractors}。每位客户只计一次；回答越少，区间越宽。',
    '**NPS {nps}** (95% interval {low} to {high}; {n} customers gave a score)':
        '**NPS {nps}**（95% 区间 {low} 至 {high}；{n} 位客户给出评分）',
    '**Shared order ids**: one order id bought by more than one customer':
        '**共用订单号**：同一订单号由多位客户购买',
    "**Spend spikes**: an order at least {ratio}× the customer's usual, after {n} or more orders":
        '**消费激增**：在至少 {n} 笔订单之后，一笔订单达到该客户平常金额的 {ratio} 倍以上',
    '**Who can be contacted.** Only customers who opted in to at least one channel in the member table are planned ({reachable} of {customers}); customers missing from the member table count as not reachable.':
        '**可联系的客户。** 只有在会员表中同意至少一个联系渠道的客户会被纳入计划（{customers} 位中的 {reachable} 位）；不在会员表中的客户视为不可联系。',
    '**{customers} customers** behave abnormally ({kinds}); {high} alerts are high severity.':
        '**{customers} 位客户**行为异常（{kinds}）；其中 {high} 条预警为高严重程度。',
    '**{reachable} customers ({share}) agreed to at least one contact channel**; the campaign plan (`06_campaign`) counts only them.':
        '**{reachable} 位客户（{share}）同意了至少一个联系渠道**；营销活动计划（`06_campaign`）只计入这些客户。',
    "**{table}**: {kept} of {rows} rows kept, {aside} set aside (kept as given in `artifacts/{name}_quarantine.parquet`); {in_log} of the log's customers are in it and {missing} are not; {unknown} of its customers never bought (not in the log).":
        '**{table}**：{rows} 行中保留 {kept} 行，{aside} 行被隔离（原样保存在 `artifacts/{name}_quarantine.parquet`）；交易记录中的客户有 {in_log} 位在表中，{missing} 位不在；表中有 {unknown} 位客户从未购买（不在交易记录中）。',
    '10. What they say: NPS and satisfaction':
        '10. 客户怎么说：NPS 与满意度',
    '11. Abnormal behaviour':
        '11. 异常行为',
    '9. Who they are':
        '9. 客户是谁',
    '95% interval':
        '95% 区间',
    '; lowest among **{segment}** ({nps})':
        '；**{segment}** 最低（{nps}）',
    'Baby stages':
        '宝宝阶段',
    'By {group}':
        '按{group}',
    'Customers hold **{points} points**, a liability of **{liability}** at {value} a point (`customers.point_value`). **{holders} customers at risk or lapsed hold large balances** (at least {large} points, the top quarter of balances): {at_risk} of points, a reason to remind them before they leave.':
        '客户共持有 **{points} 积分**，按每分 {value}（`customers.point_value`）计，积分负债 **{liability}**。**{holders} 位有流失风险或已流失的客户持有大额积分**（至少 {large} 分，即积分余额最高的四分之一）：价值 {at_risk}，是在他们离开前提醒的理由。',
    'Does satisfaction predict churn?':
        '满意度能预测流失吗？',
    "Each family's stage today, from the baby's birth date ({source}), and what each stage buys (the stage taken at each purchase):":
        '根据宝宝出生日期（{source}）得出每个家庭当前所处阶段，以及各阶段购买的品类（按每次购买时的阶段计）：',
    'Every customer gets, as of the analysis date, a **named segment** from how recently, how often and how much they bought; a **value tier** (VIP / high potential / regular) and a **spend level**; a **lifecycle stage** (new → active → at risk → lapsed) judged against their own buying rhythm; and a **behavioural cluster**. Then cohort retention, revenue concentration, the channel and category mix, who moved between segments since the last run, who the customers are (with a member table), what they say (with survey answers) and who behaves abnormally.':
        '截至分析日期，每位客户都会根据最近购买时间、购买频率和消费金额获得一个**客户分层**；一个**价值分层**（VIP / 高潜力 / 普通）和一个**消费等级**；一个按其自身购买节奏判断的**生命周期阶段**（新客 → 活跃 → 有流失风险 → 已流失）；以及一个**行为聚类**。随后是同期群留存、销售额集中度、渠道与品类结构、自上次运行以来客户分层的变化、客户是谁（需会员表）、客户怎么说（需问卷回答）以及哪些客户行为异常。',
    'Every customer of the action list is planned: without a member table (`customers:` with opt-in columns) the workbench cannot tell who agreed to be contacted.':
        '行动清单中的每位客户都被纳入计划：没有会员表（含订阅列的 `customers:`），工作台无法判断谁同意被联系。',
    'NPS (promoters - detractors, % points; 95% interval)':
        'NPS（推荐者 − 贬损者，百分点；95% 区间）',
    'NPS by month':
        '各月 NPS',
    'NPS by {group}':
        '按{group}的 NPS',
    'No member table (`customers:`) or survey answers (`surveys:`) were given. A member table would add who the customers are (region, age, gender, card level, points, opt-ins, baby stage) to `02_segment` and let the campaign plan count only reachable customers; survey answers would add NPS and satisfaction per segment and show whether they predict churn in `04_churn`. The README shows both sections of the config.':
        '未提供会员表（`customers:`）或问卷回答（`surveys:`）。会员表可在 `02_segment` 中补充客户是谁（地区、年龄、性别、会员卡等级、积分、订阅、宝宝阶段），并让营销活动计划只计入可联系的客户；问卷回答可补充各分层的 NPS 与满意度，并在 `04_churn` 中检验它们能否预测流失。README 说明了这两个配置部分。',
    'No member table was given (`customers:` in the config). With one, this section breaks segments and value tiers down by region, age and gender, counts who agreed to be contacted, values the points customers hold and, for mother-and-baby stores, says which stage each baby is in. Below: what the log alone tells, by tenure, main store and main channel.':
        '未提供会员表（配置中的 `customers:`）。有了会员表，本节会按地区、年龄和性别拆分客户分层与价值分层，统计同意被联系的客户，评估客户持有积分的价值；对母婴门店，还会给出每个宝宝所处的阶段。以下是仅凭交易记录可得的信息：按入会时长、主要门店和主要渠道。',
    'No survey answers were given (`surveys:` in the config). With them, the latest NPS and satisfaction answered before each cutoff enter the model, and this section compares the ROC-AUC with and without them on the same folds.':
        '未提供问卷回答（配置中的 `surveys:`）。有了问卷回答，每个截止日之前的最近一次 NPS 与满意度会进入模型，本节将在相同折上比较有无问卷特征时的 ROC-AUC。',
    'No survey answers were given (`surveys:` in the config). With them, this section shows the NPS and satisfaction per segment, tier, channel and store with their intervals, the monthly trend, and who answers; `04_churn` tests whether the answers predict churn.':
        '未提供问卷回答（配置中的 `surveys:`）。有了问卷回答，本节会给出各客户分层、价值分层、渠道和门店的 NPS 与满意度及其区间、月度趋势以及回答者的构成；`04_churn` 会检验回答能否预测流失。',
    "Only customers who agreed to be contacted are planned: **{left} of the action list's {customers} customers are left out** (no opt-in in the member table).":
        '只有同意被联系的客户被纳入计划：**行动清单 {customers} 位客户中有 {left} 位未纳入**（会员表中无任何订阅）。',
    "Per group: customers, their shares of customers and revenue, mean spend, the share in each value tier, the *VIP index* (the group's VIP share over the overall VIP share: above 1, VIPs are over-represented) and the largest segment.":
        '每组：客户数、客户占比与销售额占比、平均消费额、各价值分层占比，*VIP 指数*（该组 VIP 占比除以整体 VIP 占比：大于 1 表示 VIP 偏多）以及人数最多的客户分层。',
    'Points':
        '积分',
    'Points outstanding are worth **{liability}** ({points} points); **{holders} at-risk or lapsed customers** sit on large balances (at least {large} points) worth {at_risk}: a reason to contact them.':
        '未使用积分价值 **{liability}**（{points} 分）；**{holders} 位有流失风险或已流失的客户**持有大额积分（至少 {large} 分），价值 {at_risk}：这是联系他们的理由。',
    "Share of each baby stage's spend by category (stage at the purchase)":
        '各宝宝阶段的消费额品类占比（按购买时的阶段）',
    "Share of each {dimension}'s customers by segment":
        '各{dimension}客户的分层占比',
    'Survey answers {verdict} the churn model: ROC-AUC {with_} with them against {without} without, on the same folds ({folds} of {n} folds better).':
        '问卷回答{verdict}流失模型：在相同折上，含问卷 ROC-AUC 为 {with_}，不含为 {without}（{n} 折中有 {folds} 折更好）。',
    'The figures leave out groups with fewer than 30 answers; the tables below keep them.':
        '图中略去回答少于 30 个的组；下表保留全部组。',
    'The largest baby stage is **{stage}**: {customers} customers ({share}), buying mostly {categories}.':
        '人数最多的宝宝阶段是 **{stage}**：{customers} 位客户（{share}），主要购买 {categories}。',
    'The member and survey tables':
        '会员表与问卷表',
    'The member table holds {share} of the customers in the log ({missing} are not in it and show as *unknown* below).':
        '会员表覆盖了交易记录中 {share} 的客户（{missing} 位不在表中，下文显示为*未知*）。',
    'The model was trained twice on every fold, with and without the survey features (latest NPS and satisfaction, detractor and promoter flags, days since the answer, answers given), using only answers given on or before each cutoff. Mean ROC-AUC **{with_}** with them, {without} without: {verdict}.':
        '模型在每一折上训练两次，分别包含和不包含问卷特征（最近一次 NPS 与满意度、贬损者与推荐者标记、距回答天数、回答次数），且只使用各截止日当天及之前的回答。平均 ROC-AUC：含问卷 **{with_}**，不含 {without}：{verdict}。',
    'Those who answer spend {ratio}× as much (median) as those who do not: the surveys speak more for the better customers.':
        '回答问卷的客户消费额（中位数）是未回答客户的 {ratio} 倍：问卷更多代表了较好的客户。',
    'VIPs are most over-represented in {places}.':
        'VIP 最集中于{places}。',
    'VIPs are over-represented by {dimension} in: {places}.':
        '按{dimension}，VIP 偏多的是：{places}。',
    'Who answers':
        '谁在回答',
    'Who can be contacted':
        '谁可以被联系',
    "an order {times}x the customer's usual after {n} earlier orders":
        '在此前 {n} 笔订单之后，一笔订单是该客户平常金额的 {times} 倍',
    'answers':
        '回答数',
    'baby stage':
        '宝宝阶段',
    'do not improve':
        '没有改善',
    'improve':
        '改善了',
    'one order of {value}, {times}x the typical order':
        '一笔 {value} 的订单，是典型订单的 {times} 倍',
    'order id shared by {n} customers':
        '订单号由 {n} 位客户共用',
    'order {order} on {day}':
        '订单 {order}，日期 {day}',
    'returned {returned} of {bought} bought between {start} and {end}':
        '{start} 至 {end} 间购买 {bought}，退回 {returned}',
    'the answers add information the purchase history does not hold':
        '问卷回答提供了购买记录中没有的信息',
    'they add nothing the purchase history does not already hold':
        '问卷回答没有提供购买记录之外的信息',
    '{answered} customers answered; they spend a median {spend} against {other} for those who did not, and last bought {recency} days ago against {other_recency}. Read every NPS here as the view of customers like those who answer.':
        '{answered} 位客户回答了问卷；他们的消费额中位数为 {spend}，未回答者为 {other}；他们距上次购买 {recency} 天，未回答者为 {other_recency} 天。请把这里的每个 NPS 理解为与回答者相似的客户的看法。',
    '{dimension} **{value}** ({index}× their overall share)':
        '{dimension} **{value}**（为整体占比的 {index} 倍）',
    "{n} alerts for {customers} customers, in `artifacts/alerts.xlsx` (and `.csv`) with the reason, the evidence and a severity each. The thresholds come from this store's own data (median + {z} robust standard deviations), not fixed numbers:":
        '{customers} 位客户共 {n} 条预警，见 `artifacts/alerts.xlsx`（及 `.csv`），每条都有原因、证据和严重程度。阈值来自本店自身的数据（中位数 + {z} 个稳健标准差），而非固定数字：',
    '{n} returns in {days} days, {share} of what was bought in them returned':
        '{days} 天内退货 {n} 次，退回其间所购金额的 {share}',
    '{table}: rows in {rows} = kept {kept} + set aside {aside}: {ok}':
        '{table}：输入 {rows} 行 = 保留 {kept} + 隔离 {aside}：{ok}',
    # how the values were read (helpers.core.parsing)
    "Amounts were read with **'{decimal}' as the decimal mark** and '{group}' between thousands ({basis}); {rows} were written with a currency, separators or 万/亿 (e.g. {examples}) and read as numbers.":
        "金额按 **'{decimal}' 作小数点**、'{group}' 作千位分隔符读取（{basis}）；其中 {rows} 个带有货币符号、分隔符或万/亿（如 {examples}），已按数值读取。",
    "detected from the first amounts": "根据文件开头的金额识别", "the default": "默认设置",
    "{rows} order dates were written with a weekday, a time, 年月日, without separators or as Excel day numbers (e.g. {examples}) and read as dates.":
        "{rows} 个订单日期带有星期、时间、年月日写法、没有分隔符或为 Excel 日期序号（如 {examples}），已按日期读取。",
    "**Amounts that could not be read as money: {rows}** (e.g. {examples}); they are set aside as *invalid amount* with their text, and no money is counted for them.":
        "**无法读取为金额的值：{rows} 个**（如 {examples}）；这些行按 *金额无效* 隔离并保留原文，不计入任何金额。",
    "**Masked customer ids: {ids}** (e.g. {examples}; {lines} lines), with as few as {digits} digits visible: different people may share one id, so their purchases, value and churn risk are pooled. Export unmasked ids (or a member number) if you can.":
        "**脱敏的客户ID：{ids} 个**（如 {examples}；共 {lines} 行），最少只露出 {digits} 位数字：不同的人可能共用一个ID，其购买、价值和流失风险会被合并计算。如有可能，请导出未脱敏的ID（或会员号）。",
    "**Customer ids in scientific notation: {ids}** (e.g. {examples}): a spreadsheet rounded long numbers, so different customers may have become one. Export the id column as text.":
        "**科学计数法写成的客户ID：{ids} 个**（如 {examples}）：电子表格把长数字四舍五入了，不同客户可能被合并为一个。请将ID列按文本导出。",
    "Customer ids written with and without surrounding spaces: {ids} (e.g. {examples}); each was merged into one customer.":
        "前后带空格与不带空格两种写法的客户ID：{ids} 个（如 {examples}）；每个已合并为同一客户。",
    "**Customer id `{id}` holds {share} of the kept lines**: a placeholder for walk-in or anonymous sales rather than one customer; map it to an empty id to set it aside.":
        "**客户ID `{id}` 占保留行的 {share}**：这是散客或匿名销售的占位ID，而不是一位客户；将其替换为空ID即可将这些行隔离。",
    # settings fitted to a short history (helpers.models.history)
    "CLV forecasts checked on the last {value} days (default {default})": "CLV 预测用最后 {value} 天检验（默认 {default} 天）",
    "CLV over the next {value} months (default {default}), no further than the history reaches":
        "CLV 只看未来 {value} 个月（默认 {default} 个月），不超过历史数据的长度",
    "'new' customers first bought in the last {value} days (default {default})": "「新客」指最近 {value} 天内首次购买（默认 {default} 天）",
    "churn means no purchase in the next {value} days (default {default})": "流失指未来 {value} 天内没有购买（默认 {default} 天）",
    "backtest cutoffs {value} days apart (default {default})": "回测截止日相隔 {value} 天（默认 {default} 天）",
    "{value} backtest folds (default {default})": "回测 {value} 折（默认 {default} 折）",
    "{value} training cutoffs per fold (default {default})": "每折 {value} 个训练截止日（默认 {default} 个）",
    "purchase timing checked on the last {value} days (default {default})": "购买时间预测用最后 {value} 天检验（默认 {default} 天）",
    "purchase probabilities checked over {value} days (default {default})": "购买概率按 {value} 天窗口检验（默认 {default} 天）",
    "With **{days} days of history**, the settings the config leaves open were fitted to it: {chosen}. Set a key in the config to choose it yourself.":
        "数据只有 **{days} 天的历史**，配置中未设置的参数已按历史长度选取：{chosen}。如需自行决定，请在配置中设置相应参数。",
    "The history covers less than a year: seasons and festivals are not seen, so no forecast here allows for them, and the defaults above need a longer history.":
        "历史不足一年：季节和节日（春节、618、双11 等）尚未出现过，这里的预测都没有考虑它们；上述默认设置需要更长的历史。",
    "**Your settings leave {stage} without history**: it needs purchases before {date}, and the first is on {first}. Remove the key to let the workbench choose.":
        "**您的设置使 {stage} 没有可用的历史**：它需要 {date} 之前的购买记录，而第一笔购买在 {first}。删除该参数即可由工作台自动选取。",
    "**Gamma-Gamma could not be fitted** ({reason}), so each customer's order value is their mean repeat order value counted with one more order at the mean of all repeat orders (a customer without a repeat purchase gets that mean). Purchases are forecast as usual.":
        "**Gamma-Gamma 模型无法拟合**（{reason}），因此每位客户的客单价取其复购订单的平均金额，并额外计入一笔按全部复购订单均值计算的订单（没有复购的客户直接取该均值）。购买次数照常预测。",
    # why a stage could not run (the run's front page and manifest show these)
    "set clv.penalizer to 0.001 (or larger) to regularise": "可将 clv.penalizer 设为 0.001（或更大）进行正则化",
    "raise clv.penalizer (now {penalizer}) tenfold": "将 clv.penalizer（当前为 {penalizer}）提高十倍",
    "{label} did not converge ({reason}); {hint}": "{label} 未收敛（{reason}）；{hint}",
    "{label}: no customers to fit": "{label}：没有可拟合的客户",
    "{label}: no customer made a repeat purchase; the model cannot learn a purchase rate":
        "{label}：没有客户复购，模型无法学习购买频率",
    "no purchase model could be fitted": "没有任何购买模型能够拟合",
    "no repeat buyer with positive spend: CLV cannot be computed without a spend model":
        "没有消费金额为正的复购客户：没有消费模型就无法计算 CLV",
    "Gamma-Gamma needs {needed} repeat buyers with positive spend; {found} found":
        "Gamma-Gamma 需要 {needed} 位消费金额为正的复购客户，实际只有 {found} 位",
    "no customer has a purchase before the cutoff {cutoff}; move the cutoff later":
        "截止日 {cutoff} 之前没有任何客户购买；请把截止日往后移",
    "the data covers {first} to {last} ({days} days), but {settings} put the earliest training cutoff at {earliest}, before any purchase (they need more than {needed} days of history); use fewer churn.folds or churn.train_cutoffs, or a shorter churn.cutoff_step_days":
        "数据覆盖 {first} 至 {last}（{days} 天），但 {settings} 使最早的训练截止日落在 {earliest}，早于任何购买（需要超过 {needed} 天的历史）；请减少 churn.folds 或 churn.train_cutoffs，或缩短 churn.cutoff_step_days",
    "every one of the {total} customers churned after the cutoff {cutoff}": "截止日 {cutoff} 之后，{total} 位客户全部流失",
    "none of the {total} customers churned after the cutoff {cutoff}": "截止日 {cutoff} 之后，{total} 位客户无一流失",
    ": a model cannot learn from one outcome; change churn.horizon_days or the cutoffs (churn.cutoff_step_days, churn.folds)":
        "：只有一种结果时模型无法学习；请修改 churn.horizon_days 或截止日设置（churn.cutoff_step_days、churn.folds）",
    "at the cutoff {cutoff} the BTYD baselines cannot be fitted ({error}): {customers} customers had bought by then; use fewer churn.folds or churn.train_cutoffs, a shorter churn.cutoff_step_days, or more history":
        "在截止日 {cutoff} 无法拟合 BTYD 基准模型（{error}）：当时已有 {customers} 位客户购买过；请减少 churn.folds 或 churn.train_cutoffs、缩短 churn.cutoff_step_days，或补充更多历史数据",
    "03_clv needs repeat buyers: of {customers} customers acquired by the calibration end {end}, {repeaters} made a repeat purchase before it, and no purchase model could be fitted ({failures}); set clv.calibration_end later or add history":
        "03_clv 需要复购客户：校准期截止日 {end} 之前获得的 {customers} 位客户中，有 {repeaters} 位在此之前复购，且没有任何购买模型能够拟合（{failures}）；请把 clv.calibration_end 设得更晚，或补充更多历史数据",
    "05_next_purchase cannot check offers: {error}": "05_next_purchase 无法检验推荐：{error}",
    "05_next_purchase needs the purchase model at {cutoff} and at {today}: {error}; lower next_purchase.evaluation_days or add history":
        "05_next_purchase 需要在 {cutoff} 和 {today} 拟合购买模型：{error}；请降低 next_purchase.evaluation_days，或补充更多历史数据",
    "06_campaign plans from the action list, which 04_churn and 05_next_purchase write; they did not run on this data, so there is nothing to plan":
        "06_campaign 依据 04_churn 和 05_next_purchase 生成的行动名单制定计划；这两个阶段未能在此数据上运行，因此没有可计划的内容",
    "02_segment scores customers against each other and needs at least {needed} customers (segment.min_customers); this data has {found}. Set segment.scoring: thresholds to score a handful of customers on fixed cut points":
        "02_segment 通过客户之间的相互比较打分，至少需要 {needed} 位客户（segment.min_customers）；此数据只有 {found} 位。客户很少时，请设置 segment.scoring: thresholds，按固定分界打分",
    "{label}: {customers} customers are too few to fit its four parameters (at least {needed})":
        "{label}：{customers} 位客户太少，无法拟合模型的四个参数（至少需要 {needed} 位）",
    # calibrated churn risk, value that can be saved, who is contacted (04_churn)
    "value at risk: the margin of active customers expected to lapse": "风险价值：仍活跃但预计会流失的客户所带来的毛利",
    "Churn probability before and after calibration (Brier {before} → {after})": "校准前后的流失概率（Brier {before} → {after}）",
    "{scorer}, as fitted": "{scorer}（拟合原值）",
    "calibrated ({method})": "校准后（{method}）",
    "none needed": "无需校准", "Platt scaling": "Platt 逻辑校准", "isotonic regression": "保序回归校准",
    "Churn probabilities are calibrated on the backtest's held-out folds (**{method}**; Brier score {before} before, {after} after), so a tier means its word: in the backtest the customers each tier would have held churned at {seen}.":
        "流失概率已在回测的留出折上校准（**{method}**；Brier 分数校准前 {before}，校准后 {after}），因此风险等级名副其实：回测中各等级客户的实际流失率为 {seen}。",
    "**Churn probability** is the chance of no purchase in the next {days} days, scored by *{scorer}* and calibrated on the backtest ({method}); {rate} of customers churned in the backtest. **Risk tiers** are levels of it: *high* from {high}, *medium* from {medium}, *low* below. **Value if retained** is what the customer brings over the CLV horizon if they stay: their CLV divided by P(alive), since CLV already counts the chance they have left (without 03_clv: their past spend). **Value at risk** is the part a contact can still save: value if retained × the chance that a customer still active lapses (churn probability − (1 − P(alive)), at least 0), never more than the CLV. The **contact budget** ({budget} customers, `churn.contact_budget`) takes customers by expected incremental value (a save rate × value at risk − the contact's cost: the rate a measured campaign found, `campaign.measured_effects`, else the assumption `campaign.assumed_save_rate`; a customer with an alert counts at most `churn.alert_value_quantile` of the others' value at risk), highest first, among those a channel reaches (`churn.channels`) and no alert holds (`churn.hold_alert_severities`).":
        "**流失概率**是未来 {days} 天内不再购买的概率，由 *{scorer}* 评分，并在回测上校准（{method}）；回测中 {rate} 的客户流失。**风险等级**按概率划分：{high} 及以上为*高*，{medium} 及以上为*中*，以下为*低*。**留存价值**是客户若留下在 CLV 期限内带来的价值：CLV 除以 P(存活)，因为 CLV 已计入客户可能已离开的概率（没有 03_clv 时为其历史消费）。**风险价值**是一次联系仍能挽回的部分：留存价值 × 仍活跃客户流失的概率（流失概率 − (1 − P(存活))，最小为 0），绝不超过 CLV。**联系预算**（{budget} 位客户，`churn.contact_budget`）在有可用渠道（`churn.channels`）且未被预警暂缓（`churn.hold_alert_severities`）的客户中，按预期增量价值（挽回率 × 风险价值 − 联系成本：挽回率取已评估活动的实测值 `campaign.measured_effects`，否则为假设值 `campaign.assumed_save_rate`；有预警的客户其风险价值最多按其他客户的 `churn.alert_value_quantile` 分位数计）从高到低选取。",
    "The contact budget of {budget} goes to **{contacted} customers** a channel reaches and no alert holds, by expected incremental value: {share} of the value at risk. {held} customers are held for review (an alert), {store} can be reached in store only (no consent).":
        "{budget} 人的联系预算按预期增量价值分配给 **{contacted} 位**有可用渠道且未被预警暂缓的客户，覆盖风险价值的 {share}。{held} 位客户因预警暂缓、待人工核查，{store} 位只能在门店触达（未授权联系）。",
    " ({share} of the {clv} CLV)": "（占 CLV {clv} 的 {share}）",
    "**{high} customers are at high risk** ({share} of customers: a churn probability of {threshold} or more over the next {days} days); they hold {high_risk} of the **{total} value at risk**{of_clv}, the margin of customers still active who are expected to lapse.":
        "**{high} 位客户为高流失风险**（占客户的 {share}：未来 {days} 天流失概率不低于 {threshold}）；他们占**风险价值 {total}**{of_clv}中的 {high_risk}。风险价值是仍活跃但预计会流失的客户所带来的毛利。",
    "{tier} {rate}": "{tier} {rate}",
    "**Most customers are already likely gone**: {share} have a churn probability of {threshold} or more. Value at risk counts only what customers still active can bring, so the list goes to the few still worth a contact.":
        "**大多数客户很可能已经流失**：{share} 的客户流失概率不低于 {threshold}。风险价值只计算仍活跃客户能带来的价值，因此名单只给仍值得联系的少数客户。",
    "{channel} {customers}": "{channel} {customers}", "any": "任意渠道", "in store only": "仅限门店",
    "wechat": "微信", "sms": "短信", "email": "邮件",
    "**Contact {contacted} of {customers} customers this cycle** ({channels}); {control} held out as a control group; not this cycle: {held} held for review, {store} in store only, {below} below the budget. The list is `contact_plan.xlsx`.":
        "**本周期联系 {customers} 位客户中的 {contacted} 位**（{channels}）；{control} 位作为对照组不联系；本周期不联系：{held} 位因预警待核查，{store} 位仅限门店，{below} 位在预算之外。名单见 `contact_plan.xlsx`。",
    "no customer can be contacted this cycle: churn.contact_budget is {budget}, {held} customers are held for review and {store} can be reached in store only":
        "本周期没有可联系的客户：churn.contact_budget 为 {budget}，{held} 位客户因预警待核查，{store} 位只能在门店触达",
    "{item} fits the baby's age ({months} months) on the send date": "{item} 符合宝宝在发送日的月龄（{months} 个月）",
    "no ranked offer fits the baby's age": "没有适合宝宝当前月龄的推荐品类",
    "This stage was skipped": "本阶段已跳过",
    "This stage stopped with an error": "本阶段因错误停止",
    "The later stages run without it; the front page says what this leaves out.":
        "后续阶段在没有它的情况下继续运行；首页说明了因此缺少的内容。",
    "Nothing after this point was computed. The details are in {notebook} and run.log in the run folder.":
        "此处之后的内容未计算。详细信息见运行文件夹中的 {notebook} 和 run.log。",
    "**No model sees customers leave**: {model} puts every repeat buyer at least {level} likely still active, the "
    "lapsed ones too, so its CLV assumes no one leaves; read who is leaving from the churn scores (04).":
        "**没有模型能识别客户流失**：{model} 认为每位复购客户仍活跃的概率都不低于 {level}（已沉睡的客户也一样），"
        "因此其 CLV 假定无人流失；请以流失评分（04）判断谁正在离开。",
    "{models} were passed over although they fit: they see no customer leave (every repeat buyer at least {level} "
    "likely active).": "{models} 虽已拟合但未被选用：它们识别不出任何客户流失（每位复购客户仍活跃的概率都不低于 {level}）。",
    "The data has no category, so offers name **products** by their {column}, among the {n} most bought "
    "(`next_purchase.max_categories`).": "数据中没有品类，因此推荐按{column}指向**商品**，范围为销量最高的 {n} 个"
    "（`next_purchase.max_categories`）。",
    "product name": "商品名称", "product id": "商品编码", "region": "地区",
    "returned {returned} between {start} and {end}, more than the {bought} bought in those days (the rest was bought "
    "before)": "{start} 至 {end} 期间退回 {returned}，多于这些天购买的 {bought}（其余为之前所购）",
    "; {returned} of it returned or cancelled (kept {kept})": "；其中 {returned} 已退货或取消（保留 {kept}）",
    "**Seasons**: customers buy at {high_index}× {model}'s rate in {high} and {low_index}× in {low}. With this month "
    "index the holdout forecast is off by {seasonal} instead of {plain}, so the CLV forecast uses it (×{factor} over "
    "its horizon).": "**季节性**：客户在{high}的购买速度是 {model} 预测的 {high_index} 倍，在{low}是 {low_index} 倍。"
    "按此月度指数，留出期预测偏差为 {seasonal}（不用时为 {plain}），因此 CLV 预测采用该指数（预测期内 ×{factor}）。",
    "**Seasons**: customers buy at {high_index}× {model}'s rate in {high} and {low_index}× in {low}, but the month "
    "index did not improve the holdout forecast ({seasonal} against {plain}), so the CLV forecast does not use it.":
        "**季节性**：客户在{high}的购买速度是 {model} 预测的 {high_index} 倍，在{low}是 {low_index} 倍，但月度指数"
        "并未改善留出期预测（{seasonal}，不用时为 {plain}），因此 CLV 预测不采用。",
    "no training cutoff of the fold could be used": "该折没有可用的训练截止日",
    "Backtest folds {folds} could not be run ({reason}); the scores are checked on the others.":
        "回测第 {folds} 折无法运行（{reason}）；评分在其余各折上检验。",
    "{cut} rows after dates.observation_end ({end}) are outside the analysis, as set. ":
        "晚于 dates.observation_end（{end}）的 {cut} 行按设置不在分析范围内。",
    "The last month, {month}, is partial (data to {last}): its totals are not comparable with whole months.":
        "最后一个月（{month}）不完整（数据截至 {last}）：其合计不能与完整月份比较。",
    " Also not this cycle: {blocked} on the do-not-contact list, {capped} contacted too recently (the contact cap).":
        " 本周期同样不联系：{blocked} 位在免打扰名单上，{capped} 位近期已联系过（联系频次上限）。",
    "do not contact": "免打扰", "contacted recently": "近期已联系",
    "the save rates per action in campaign.save_rates": "campaign.save_rates 中按行动设定的挽回率",
    "a contact saving {rate} of the value at risk (campaign.assumed_save_rate)":
        "每次联系挽回风险价值的 {rate}（campaign.assumed_save_rate）",
    " Expected incremental margin of the contacts: **{value}**, assuming {basis}, until a campaign is measured.":
        " 联系带来的预期增量毛利：**{value}**，假设{basis}；在活动效果实测之前以此为准。",
    "expected value": "预期增量价值",
    " {holdout} are in the long-run holdout, never contacted: comparing them with everyone else shows what all "
    "contacts together earn.": " {holdout} 位属于长期对照组，从不联系：与其他客户比较可看出所有联系合计带来的收益。",
    "global holdout": "长期对照组",
    "contact": "联系", "below the budget": "预算之外", "this cycle": "本周期",
    "expected value low": "预期增量价值下限", "expected value high": "预期增量价值上限", "value basis": "挽回率依据",
    "measured": "实测", "assumed": "假设", "save rate": "挽回率", "save rate low": "挽回率下限",
    "save rate high": "挽回率上限",
    " Expected incremental margin of the contacts: **{value}** (95% interval {low} to {high}), with the save rates a measured campaign found (campaign.measured_effects) for {measured} of the {contacted} contacts":
        " 被联系客户的预期增量毛利：**{value}**（95% 区间 {low} 至 {high}），其中 {contacted} 次联系中有 {measured} 次采用已评估活动实测的挽回率（campaign.measured_effects）",
    "; the others assume {basis}": "；其余假设{basis}",
    "A contact saved **{rate} of the value at risk** (95% interval {low} to {high}; a lower bound, the outcome window is shorter than the CLV horizon). Give this run's `campaign_effects.parquet` as `campaign.measured_effects` and the next plan ranks by these measured rates.":
        "每次联系挽回了**风险价值的 {rate}**（95% 区间 {low} 至 {high}；这是下限，因为效果观察期短于 CLV 期限）。将本次运行的 `campaign_effects.parquet` 设为 `campaign.measured_effects`，下一次计划即按这些实测挽回率排序。",
    "Incremental margin per contact by channel: {channels}.": "各渠道每次联系的增量毛利：{channels}。",
    " The next plan prefers the channels with a significant effect ({channels}) by what they earned.":
        "下一次计划按收益优先选择效果显著的渠道（{channels}）。",
    " No channel's effect is significant, so the next plan keeps the channel order of the config.":
        "没有渠道的效果显著，因此下一次计划沿用配置中的渠道顺序。",
    "{channel} {value}": "{channel} {value}",
    " The reminder list `due_soon.xlsx` holds {kept} of them: {planned} are in this cycle's contact plan already and {others} may not be contacted now (held for review, do not contact, contact cap, long-run holdout).":
        "提醒名单 `due_soon.xlsx` 收录其中 {kept} 位：{planned} 位已在本周期的联系计划中，{others} 位目前不可联系（待核查、勿扰、联系频次上限、长期保留组）。",
    "{n} other actions": "其他 {n} 项行动", "all customers": "全部客户",
    "yes": "是", "no": "否",
    "customer lifetime value, next {months} months; {purchases} purchases expected{band}":
        "客户终身价值，未来 {months} 个月；预计购买 {purchases} 次{band}",
    " (90% interval {low}–{high})": "（90% 区间 {low}–{high}）",
    "Customers per score (equal values share a score, so the counts need not be equal):":
        "各评分的客户数（取值相同的客户得分相同，因此各分数人数不必相等）：",
    "ROC-AUC per fold and scorer; the mean is the one the scorers are compared on above:":
        "各折、各评分方法的 ROC-AUC；上文比较评分方法时用的是其均值：",
    "{customers} more customers in the log have no purchase left once their returns are netted (they returned everything): they are not counted as customers; 02's alerts still look at them.":
        "另有 {customers} 位客户的退货冲抵后没有剩下任何购买（买的全部退回）：他们不计入客户数；02_segment 的预警仍会检查他们。",
    "The store's member cards, as the member table gives them (`card_level`), against the spend level (customers):":
        "门店的会员卡等级（会员表中的 `card_level`）与消费等级对照（客户数）：",
    "**Calibration fits**: each model's parameters fitted on the calibration period, to {end}; these are the fits the holdout check in section 3 compares.":
        "**校准期拟合**：各模型在校准期（截至 {end}）拟合的参数；第 3 节的验证期检验比较的就是这些拟合。",
    "**The fit CLV uses**: {model} refitted on {fitted_on} to {date}, each estimate beside its 90% bootstrap interval (5th percentile, median, 95th percentile of the refits on resampled customers):":
        "**CLV 所用的拟合**：{model} 在截至 {date} 的{fitted_on}上重新拟合，每个估计值旁列出其 90% 自助法区间（对重抽样客户重新拟合所得的 5% 分位、中位数和 95% 分位）：",
    "a seeded sample of {fitted} of the {customers} customers (clv.fit_max_customers)":
        "{customers} 位客户中按固定种子抽取的 {fitted} 位（clv.fit_max_customers）",
    "Beyond {most} customers each model is fitted on a seeded sample of that many (clv.fit_max_customers), which pins its few parameters down as closely as all of them would; every customer is compared and forecast.":
        "客户超过 {most} 位时，每个模型只在按固定种子抽取的这么多位客户上拟合（clv.fit_max_customers）：模型只有几个参数，这样的样本已能把它们估得与用全部客户一样准；比较与预测仍覆盖每一位客户。",
    "came back": "已回购", "did not come back": "未回购",
    "no customer known at {cutoff} bought a {column} in the {days} days after it":
        "{cutoff} 时已知的客户在此后 {days} 天内没有人购买任何{column}",
    "the purchase model fitted on this history forecasts no finite value for some customers ({params}): the log has too few repeat buyers to value customers; add history":
        "在这段历史上拟合的购买模型对部分客户给不出有限的预测值（{params}）：交易记录中复购客户太少，无法评估客户价值；请补充更长的历史",
    "5. Key dates and festivals": "5. 关键日期与节日",
    "**Life stage.** {known} families' baby stage comes from the member table's birth date and {estimated} is estimated from the stage categories they bought (each purchase bounds the birth date); {unknown} customers' stage is unknown, and they are offered no stage category. A stage category (`life_stage.stage_categories`) is offered only while it fits the baby's age on the send date, even for the oldest the baby may be: never one the family has outgrown. **{moving} families** reach a new stage within {lead} days and are offered it before the move.": "**人生阶段。** {known} 个家庭的宝宝阶段来自会员表中的宝宝生日，{estimated} 个由其购买的阶段品类推算（每次购买都限定了出生日期的范围）；{unknown} 位客户的阶段未知，不向其推荐任何阶段品类。阶段品类（`life_stage.stage_categories`）只在发送日适合宝宝月龄时推荐，即使按宝宝可能的最大月龄也是如此：绝不推荐家庭已经用不上的阶段。**{moving} 个家庭**将在 {lead} 天内进入新阶段，在转段前向其推荐新阶段品类。",
    "In the next {days} days: **{entries} key dates** (birthdays, baby milestones, membership anniversaries and open windows of the life events in `life_stage.events`; {customers} customers), each with a suggested message and the customer's channel.": "未来 {days} 天内：**{entries} 个关键日期**（生日、宝宝成长节点、入会周年，以及 `life_stage.events` 中人生事件的时间窗口；{customers} 位客户），每条附建议的问候或优惠及客户的触达渠道。",
    "**{won} of the contacts are for a moment** worth more than the customer's retention action (a key date, a festival they buy for, a member nudge or a life event; `care.response_rates`): ": "**{won} 次联系用于关怀时机**：其价值高于该客户的挽留行动（关键日期、客户常在节前购买的节日、会员提醒或人生事件；`care.response_rates`）：",
    "*{action}* ({customers})": "*{action}*（{customers}）",
    "detractor": "贬损者", "passive": "被动者", "promoter": "推荐者", "says": "提到", "returned an item": "有过退货",
    "Chinese": "中文", "English": "英文",
    "What the comments say": "评论在说什么",
    "**What the {n} comments say.** Chinese comments are split into words with jieba, English ones into words; each word counts once per comment. A *theme* is a word far more common in detractors' (NPS 0-6) than in promoters' (9-10) comments, or the reverse: the log-odds ratio with an informative prior, as a z-score (|z| of 1.96 or more), in at least {min} comments; words written together in half their comments or more make one theme. The full table is `artifacts/comment_themes.parquet`.":
        "**{n} 条评论在说什么。** 中文评论用 jieba 分词，英文评论按单词切分；每个词在一条评论中只计一次。*主题*是在贬损者（NPS 0-6）评论中远比推荐者（9-10）评论中常见的词，或者相反：以带信息先验的对数优势比衡量，换算为 Z 值（|Z| 不低于 1.96），且至少出现在 {min} 条评论中；在一半以上评论中一起出现的词归为同一主题。完整表格见 `artifacts/comment_themes.parquet`。",
    "What detractors complain about:": "贬损者在抱怨什么：",
    "What promoters praise:": "推荐者在称赞什么：",
    "Where a complaint is more common (each {place} with at least {min} detractor comments; a theme's share of them at least 1.5 times its share overall, and too high to be chance: a binomial test, Holm-adjusted p below 0.05):":
        "哪里的抱怨更集中（每个{place}至少有 {min} 条贬损者评论；某主题在其中的占比不低于整体占比的 1.5 倍，且高到不像偶然：二项检验，经 Holm 校正的 p 值低于 0.05）：",
    "**What goes with a higher or lower NPS.** A linear model of each customer's latest NPS on what they wrote (the themes) and how they buy (channel, store, favourite category, returns), with robust (HC3) 95% intervals: the difference in NPS points against customers without it, the others held fixed. An association, not a cause: it says where to look, not what a change would earn.":
        "**哪些因素与 NPS 高低相关。** 以每位客户最近一次的 NPS 对其评论内容（主题）和购买方式（渠道、门店、常购品类、退货）做线性模型，给出稳健（HC3）95% 区间：在其他因素不变时，与没有该特征的客户相比 NPS 相差多少分。这是相关而非因果：它指出该去哪里查看，而不是改变后能带来多少收益。",
    "Detractors to call back": "需要回访的贬损者",
    "Churn and value by the latest answer, each mean with its 95% interval: detractors are the customers a service call can still turn, and what they are worth says whom to call first.":
        "按最近一次回答划分的流失概率与价值（均值及 95% 区间）：贬损者是一次服务回访仍可能挽回的客户，其价值决定先给谁打电话。",
    "**{n} detractors answered in the last {days} days and were not contacted since**: each gets a service call within three days, highest value at risk first ({value} at risk in all). The list, with comment, store and channel, is `artifacts/detractors.parquet`; its first rows (ids masked):":
        "**{n} 位贬损者在最近 {days} 天内作答且此后未被联系**：每位都应在三天内接到服务回访电话，按风险价值从高到低排序（合计风险价值 {value}）。含评论、门店和渠道的完整名单见 `artifacts/detractors.parquet`；前几行如下（ID 已脱敏）：",
    "Service call within three days: hear the detractor out and fix what went wrong": "三天内服务回访：倾听贬损者的意见并解决问题",
    "{offer}: their {event} window is open until {closes}": "{offer}：{event}时间窗口已开启，持续至 {closes}",
    "Birthdays, the baby's milestones and membership anniversaries need the member table (`customers:` with `birth_date`, `baby_birth_date`, `join_date`); festivals come from the log alone.": "生日、宝宝成长节点和入会周年需要会员表（`customers:`，含 `birth_date`、`baby_birth_date`、`join_date`）；节日名单仅凭交易记录即可生成。",
    "**Festivals** of the next {days} days, each with its *responders*: customers who bought in the days before it in at least two of the years they were customers, more often than their own buying rate makes likely by chance. Greet them, not everyone: {responders} customers in all.": "未来 {days} 天内的**节日**及其*响应客户*：在成为客户后的至少两年里都在节前几天购买、且频率明显高于其自身购买节奏的客户。只问候他们，而不是所有人：共 {responders} 位客户。",
    "The whole calendar is `artifacts/care_calendar.parquet` (customer, occasion, date, offer, channel). It goes through the contact plan: each customer's best moment of the next {days} days competes with their retention action for the contact budget (04), and **{planned} entries won a contact** on their own expected value; {cycle} entries are for customers in this cycle's budget (one message can carry both), {capped} for customers contacted within the contact cap, and {blocked} for customers on the do-not-contact list (channel *do not contact*: never greet them).": "完整日历见 `artifacts/care_calendar.parquet`（客户、场合、日期、建议内容、渠道），并经过联系计划：每位客户未来 {days} 天内最好的关怀时机与其挽留行动竞争同一联系预算（04），**{planned} 条凭自身预期价值获得了联系名额**；{cycle} 条属于本周期已在联系预算内的客户（一条消息可一并送达），{capped} 条属于在联系间隔内刚联系过的客户，{blocked} 条属于免打扰名单上的客户（渠道为*免打扰*：切勿发送问候）。",
    "the baby reaches {item} around {day}: offered before the move": "宝宝约在 {day} 进入{item}阶段：转段前推荐",
    "{festival} greeting and offer: they bought before it in {share} of their years": "{festival}问候及优惠：其在 {share} 的年份里于节前购买",
    "birthday greeting with a birthday coupon": "生日祝福并赠送生日券",
    "thank you for {years} years as a member, with bonus points": "感谢入会 {years} 周年，赠送奖励积分",
    "congratulations on the baby's full month (满月), with a gift for the new stage": "恭贺宝宝满月，赠送新阶段礼品",
    "congratulations on the baby's 100 days (百天), with a gift for the new stage": "恭贺宝宝百天，赠送新阶段礼品",
    "the baby turns {years}: a birthday gift for the stage ahead": "宝宝 {years} 岁生日：赠送下一阶段的生日礼",
    "birthday": "生日",
    "membership anniversary": "入会周年",
    "baby's full month": "宝宝满月",
    "baby's 100 days": "宝宝百天",
    "baby's birthday": "宝宝生日",
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Lantern Festival": "元宵节",
    "Valentine's Day": "情人节",
    "Women's Day": "三八妇女节",
    "Qingming": "清明节",
    "Labour Day": "劳动节",
    "Mother's Day": "母亲节",
    "520": "520",
    "Dragon Boat Festival": "端午节",
    "Children's Day": "儿童节",
    "Father's Day": "父亲节",
    "618": "618",
    "Qixi": "七夕",
    "National Day": "国庆节",
    "Mid-Autumn Festival": "中秋节",
    "Double 11": "双11",
    "Double 12": "双12",
    "responders": "响应客户",
    "festival": "节日",
    "occasion": "场合",
    "the baby's age is unknown, so no stage category is offered": "宝宝月龄未知，因此不推荐阶段品类",
    "6. Points and member levels": "6. 积分与会员等级",
    "Member growth needs the member table with card levels (and `customers.card_rules`, the spend each level needs) or points.": "会员成长需要含会员卡等级（及 `customers.card_rules`，各等级所需消费）或积分的会员表。",
    "**{near} members are within reach of the next card level** (the spend missing is at most a quarter of its threshold): a nudge now lifts them. {keep} would drop a level at the renewal without more spend; {redeem} should redeem points ({points} points lapse soon).": "**{near} 位会员距下一卡等级仅差一步**（差额不超过该等级门槛的四分之一）：现在提醒即可升级。{keep} 位若不再消费将在续期时降级；{redeem} 位应提醒兑换积分（{points} 积分即将过期）。",
    "Every member's nudge is in `artifacts/member_growth.parquet`; **{planned} nudges won a contact** in this cycle's budget (04) on their own expected value.": "每位会员的提醒见 `artifacts/member_growth.parquet`；**{planned} 条提醒凭自身预期价值获得了本周期联系预算中的名额**（04）。",
    "{offer} ({date}): {value} expected from a contact at a {rate} response rate": "{offer}（{date}）：按 {rate} 的响应率，一次联系预计带来 {value}",
    "{gap} more by the renewal lifts them to {level}": "续期前再消费 {gap} 即可升至{level}",
    "{gap} more keeps {level} at the renewal": "续期前再消费 {gap} 即可保住{level}",
    "redeem {points} points (worth {value})": "兑换 {points} 积分（价值 {value}）",
    "level up": "可升级",
    "keep level": "保级",
    "redeem points": "兑换积分",
    "none": "无",
    "period_spend": "周期消费",
    "qualified_level": "达标等级",
    "next_level": "下一等级",
    "gap": "差额",
    "keep_gap": "保级差额",
    "member table, else stage purchases": "会员表，否则按阶段品类购买推算",
    "7. Demand by region and month": "7. 分地区月度需求",
    "A demand forecast needs at least {need} complete months of history; this one has {months}.":
        "需求预测至少需要 {need} 个完整月份的历史数据；当前数据只有 {months} 个。",
    "**Revenue of the next {h} months: {total}** ({level} interval {low} to {high}){change}. Each of the {n} {series} (`demand.by`: {by}) is forecast on its own and the total is their sum, so they add up to it.":
        "**未来 {h} 个月销售额：{total}**（{level} 区间 {low} 至 {high}）{change}。{n} 个{series}（`demand.by`：{by}）各自单独预测，合计为其加总，因此各{series}之和等于合计。",
    ", {change} against the same months a year earlier": "，比上年同期 {change}",
    " Units: {units} ({low} to {high}).": "件数：{units}（{low} 至 {high}）。",
    "**Checked on the last {n} months held out**: fitted on the {trained} months before them, the total's mean absolute error is {mase} times seasonal-naive's (the same month a year earlier; this ratio, *MASE*, is below 1 when the forecast is better), and the forecast beats seasonal-naive for **{beats} of the {count} {series}**.":
        "**用最近 {n} 个月留出检验**：用此前 {trained} 个月拟合，合计的平均绝对误差是季节朴素预测（上年同月）的 {mase} 倍（该比值即 *MASE*，小于 1 说明预测更好）；在 **{count} 个{series}中有 {beats} 个**优于季节朴素预测。",
    "The history is too short to hold out months and still keep a year before them (`demand.backtest_months`): the forecast is not checked yet.":
        "历史太短，留出检验月份后不足一年（`demand.backtest_months`）：预测暂未检验。",
    "**Seasons**: each series' demand per calendar month against its average month (classical decomposition of the complete years; 100% is an average month). Peaks of at least {lift} (`demand.min_peak_lift`): {peaks}.":
        "**季节性**：各序列每个日历月的需求相对其平均月份的水平（对完整年份做经典分解；100% 为平均月份）。高出至少 {lift} 的旺季（`demand.min_peak_lift`）：{peaks}。",
    "{series} in {month} ({lift})": "{series}在{month}（{lift}）",
    "Seasons need two complete years of history; this one has {months} complete months.":
        "季节性需要两个完整年份的历史；当前数据只有 {months} 个完整月份。",
    "How: each series is fitted with exponential smoothing (statsmodels ETS) with a damped trend, which follows a store that grows or shrinks without extrapolating it forever, and, once two complete years allow one, the additive or multiplicative season of lower AICc; complete calendar months only, lines flagged extreme left out, returns netted. The intervals come from {draws} simulated futures per series; the total's adds the series' futures up, taking their surprises as independent. Beyond the {most} largest series (`demand.max_series`) the rest are one series, *other*.":
        "方法：每个序列用带阻尼趋势的指数平滑（statsmodels ETS）拟合，既能跟随门店的增长或收缩，又不会无限外推；有两个完整年份后，再按 AICc 选择加法或乘法季节项。只用完整的日历月，剔除标记为极端值的明细行，退货已冲减。区间来自每个序列 {draws} 条模拟路径；合计的区间把各序列的模拟路径相加，假定各序列的意外波动相互独立。最大的 {most} 个序列之外（`demand.max_series`）合并为一个序列 *其他*。",
    "Monthly revenue: the last two years and the forecast": "月度销售额：近两年与预测",
    "Demand per calendar month against an average month": "各日历月需求相对平均月份",
    "demand.by is {by}, but neither the log nor a member table gives one": "demand.by 为 {by}，但交易日志和会员表都没有该字段",
    "{level} interval": "{level} 区间",
    "regions": "地区", "stores": "门店", "channels": "渠道", "series": "序列", "total": "合计", "other": "其他",
    "forecast": "预测", "month": "月份",
    "demand: too short a history": "需求预测：历史太短",
    "demand, total only: next {h} months {total}": "需求（仅合计）：未来 {h} 个月 {total}",
    "revenue forecast for the next {months} months": "未来 {months} 个月销售额预测",
    "; its error on the months held out {mase} × seasonal-naive's": "；留出月份上的误差为季节朴素预测的 {mase} 倍",
    "demand by {by}: {n} series, next {h} months {total}": "需求（按{by}）：{n} 个序列，未来 {h} 个月 {total}",
    "; MASE on the months held out {mase}": "；留出月份 MASE {mase}",
    "**Revenue of the next {months} months is forecast at {total}** ({level} interval {low} to {high}).":
        "**预计未来 {months} 个月销售额 {total}**（{level} 区间 {low} 至 {high}）。",
    "On the {n} months held out, its error was {mase} times seasonal-naive's (MASE).":
        "在留出的 {n} 个月上，其误差是季节朴素预测的 {mase} 倍（MASE）。",
}
# fmt: on

ZH: dict[str, str] = {**VOCABULARY, **HEADERS, **MESSAGES}
