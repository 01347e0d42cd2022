// The hosted checkout's words in Chinese and English. The page is rendered in one language (the
// buyer's choice in ?lang=, else the browser's Accept-Language) and links to the other.
export type CheckoutLang = 'zh' | 'en';

export const CHECKOUT_TEXT = {
  zh: {
    htmlLang: 'zh-CN',
    title: '收银台',
    header: 'Formica 收银台',
    otherLang: 'English',
    amountLabel: '金额',
    timeLeft: '剩余支付时间',
    timeUp: '已超时',
    loginToPay: '登录并付款',
    loginToConfirm: '登录并确认收货',
    phone: '手机号',
    password: '密码',
    payAs: '付款账户',
    payBalance: '余额支付',
    payCard: '银行卡支付',
    payLater: '先用后付',
    payLaterLeft: '可用额度 ¥{available}',
    pinTitle: '输入支付密码',
    pinDelete: '删除',
    pinCancel: '取消',
    processing: '处理中…',
    bankProcessing: '银行处理中，稍后刷新',
    paid: '支付成功',
    insured: '已投保退货运费险',
    insure: '退货运费险 ¥{premium}，退货赔付 ¥{payout}',
    failed: '失败：',
    confirmed: '已确认收货',
    details: '订单详情',
    tradeNo: '交易号',
    created: '创建时间',
    status: '状态',
    scanTitle: '用手机扫码支付',
    qrLabel: '二维码：',
    backToMerchant: '返回商家',
    backToWallet: '返回钱包',
    missing: '交易不存在。',
    statuses: {
      WAIT_BUYER_PAY: '等待付款',
      WAIT_SELLER_SEND_GOODS: '已付款，等待发货',
      WAIT_BUYER_CONFIRM_GOODS: '已发货，等待确认收货',
      TRADE_SUCCESS: '交易成功',
      TRADE_FINISHED: '交易完成',
      TRADE_CLOSED: '交易关闭',
    } as Record<string, string>,
  },
  en: {
    htmlLang: 'en',
    title: 'Checkout',
    header: 'Formica Checkout',
    otherLang: '中文',
    amountLabel: 'Amount',
    timeLeft: 'Time left',
    timeUp: 'Time is up',
    loginToPay: 'Log in to pay',
    loginToConfirm: 'Log in and confirm receipt',
    phone: 'Phone',
    password: 'Password',
    payAs: 'Paying as',
    payBalance: 'Pay from balance',
    payCard: 'Pay by card',
    payLater: 'Pay later',
    payLaterLeft: '¥{available} available',
    pinTitle: 'Enter your payment PIN',
    pinDelete: 'Delete',
    pinCancel: 'Cancel',
    processing: 'Processing…',
    bankProcessing: 'The bank is processing the payment; refresh later',
    paid: 'Payment succeeded',
    insured: 'return shipping insured',
    insure: 'Return-shipping insurance ¥{premium}, pays ¥{payout} on a return',
    failed: 'Failed: ',
    confirmed: 'Receipt confirmed',
    details: 'Order details',
    tradeNo: 'Trade no.',
    created: 'Created',
    status: 'Status',
    scanTitle: 'Pay on your phone',
    qrLabel: 'QR code: ',
    backToMerchant: 'Back to the merchant',
    backToWallet: 'Back to the wallet',
    missing: 'This trade does not exist.',
    statuses: {
      WAIT_BUYER_PAY: 'Waiting for payment',
      WAIT_SELLER_SEND_GOODS: 'Paid, waiting for shipment',
      WAIT_BUYER_CONFIRM_GOODS: 'Shipped, waiting for confirmation',
      TRADE_SUCCESS: 'Paid',
      TRADE_FINISHED: 'Finished',
      TRADE_CLOSED: 'Closed',
    } as Record<string, string>,
  },
} satisfies Record<CheckoutLang, unknown>;

export type CheckoutText = (typeof CHECKOUT_TEXT)['en'];

/** ?lang= when it names one, else the first of Accept-Language's languages Formica speaks, else Chinese. */
export function checkoutLang(query: string | undefined, acceptLanguage: string | undefined): CheckoutLang {
  if (query === 'zh' || query === 'en') return query;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh';
}
