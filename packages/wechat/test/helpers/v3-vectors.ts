/** V12 of wechat-protocol.md §12: a v3 payment notification, its resource and its signature with key "P". */
export const V12_KEY = 'vYx7Kq2Lm9Tn4Rb8Zc6Wd1Fh3Jp5Gs0A';
export const V12_PLAINTEXT =
  '{"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"1217752501201407033233368018",' +
  '"transaction_id":"1217752501201407033233368018","trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_de' +
  'sc":"支付成功",' +
  '"bank_type":"CMC","attach":"自定义数据","success_time":"2018-06-08T10:34:56+08:00","payer":{"openid":"oUpF8uMuAJO' +
  '_M2pxb1Q9zNjWeS6o"},' +
  '"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}';
export const V12_CIPHERTEXT =
  'cv52RSSDsd7BQNq6vtwZCIgViErOgC1k5eHmNkEQYS10RKs5tDGmFOJEYifZTwFxgYDoqslEqo6AlBDsR/wp+hakzDXyyFUglgt+BaiJ4vUm' +
  'XAD+dR3hiWeUC8Xz' +
  'FDIDZ5vKxEq+fl35XLMmNykxlsrH1EvN9VITolDygL1hxfu0YJ155zgD7NJASAjiEsYHWb2cjkj963xQSSvgOtVO2I/l4UkWuXabcCt7VLJz' +
  'bVrdgS1OIZbSxzE3' +
  'Q8p7BTLAq1xn3K61oiLY326vCPqY01mDePIFExmWpcxDcz8aS40C/ogkvfQaIZ1nGiddWxYJ4lIcU4wULx/8YJWb6JwvO/FNkBO64apuR0u6' +
  'lW1qyurabjHY09fi' +
  'UYFa44MLHwW3KRj7U5zEJBcoAMKOK2FgqUPk85ZX9BUmsdLg97PkJszZMqKh+wYUoan1IDwbRRNtgzbojQs4+3yEfMLunmE1kpBiqUNsaTLc' +
  '2n2GHXdzaSLxZ4A2' +
  'uIL2pBcYLdtMrd4hNLfKeHvohN0yR662k6giWnsy/iQRS7wOvSelCj1C/gXdeM4NJMnZPE8ZhiQrST1sHU5TKl9T6WnahZx2f3lsjR/eU4Iz' +
  'NbokJY2q';
export const V12_BODY =
  '{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource",' +
  '"event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"A' +
  'EAD_AES_256_GCM",' +
  `"ciphertext":"${V12_CIPHERTEXT}","associated_data":"transaction","nonce":"fdasflkja484"}}`;
export const V12_SIGNATURE =
  'TZp86n+bJRxi3XPthNQm9bxTnMsSy4BiWrFBDppPK6onWl5sGnxQkl4WMvEvSwx1MQBi/OTETB1slO6Md5AjBb27B8MFFIFty4A53bZ+4Au0' +
  'OjlbwsoD/IJb3NII' +
  '/awbaiNQPKHOYrANyqHggTNcJH7Sx23RrIc/J8L31sp6AejI3Bwy+UxyEA1FRDA2L6An8Jf2kg2YGrLHZnfIHr6Asdn07HO9I0s9WcXYJkqR' +
  'sWOSQwFhfndTT4qp' +
  '6Dys3oN499zsoVFbh2ABwAUx1s9/thYqiJd92eOVELHaIArW7dnxPaBgStkL1wM6Sh0rBYHrvxKQm2ZK7EUv/im5Jz6+yQ==';
