/**
 * The preset dictionary that stored JSON is deflated against (zlib's `dictionary` option): the field names
 * and the platform's own words that every run record and user item repeats (`"journeyId":"`, `"type":
 * "message.sent"`...), so a small item starts its deflate stream with them already seen. Only the model's
 * and the platform's vocabulary is here, none of a journey's ids or texts: they differ from shop to shop.
 * Measured on the seed journeys' records (`npm run bench -- --only dynamodb`): a third smaller than deflate
 * alone, and none left over the 1 KB a write unit covers.
 *
 * Items written against a dictionary must stay readable: a dictionary is never edited once shipped (a test
 * holds its digest). A better one is added as the next entry, written from then on, the older kept for reading.
 * https://www.rfc-editor.org/rfc/rfc1950#section-2.2 (FDICT: the preset dictionary)
 */
const fragments: readonly string[] = [
  // Rarer shapes first: deflate reaches the dictionary's end with the shortest distances.
  `"lastExitEventAt":"","lastOccurrence":{"occurrence":"","members":,"campaign":""},"couponIds":[""]`,
  `"direction":"up","reached":"","trait":"","from":"","to":"","segment":"","segments":[""],"wakeAt":"`,
  `"traitStates":{"ordersTotal":{"value":},"orders365d":{"entries":[[,1]]},"spend365d":{"entries":[[,]]},`,
  `"spendTotal":{"value":},"lastOrderAt":{"at":}},"watchedTraits":{"growthTier":"normal"},"countedKeys":"`,
  `"consent":{"*":{"subscribed":false,"at":""}},"orderCount":0,"totalSpent":0,"firstOrderAt":"","lastOrderAt":"`,
  `"userId":"","attributes":{"tier":"","marketingOptIn":true},"registeredAt":"","locale":"zh-CN","timezone":"Asia/Shanghai",`,
  `"channel":"app","email":"","phone":"+86","fieldTimes":{"locale":"","timezone":"","channel":"","email":"","phone":"",`,
  `"inactivity":{"since":"","dueAt":"","lastEvent":"","armedAt":""},"convertedAt":"","heldBy":"","exitReason":"completed",`,
  `{"type":"goal.converted"},{"type":"message.suppressed","reason":"unsubscribed","rule":"consent"},{"type":"coupon.withheld"}`,
  `"trigger":{"id":"","source":"shop","detail-type":"user.registered","time":"","detail":{"userId":"","orderId":"",`,
  `"amount":,"currency":"CNY","paymentMethod":"","promotionId":"","couponId":""}},"goal":{"until":""},"endedAt":"`,
  `"outputs":{"":{"branch":"otherwise"},"":{"couponId":"cpn.","code":"","amountOff":,"currency":"CNY","freeShipping":true,`,
  `"minSpend":,"expiresAt":""}},"coupon":{"couponId":"cpn.","code":"","amountOff":,"currency":"CNY","freeShipping":false,`,
  `"journal":[{"at":"","journey":"","version":1,"user":"","run":"","type":"journey.entered","id":":entered"},`,
  `{"at":"","journey":"","version":1,"user":"","run":"","type":"coupon.issued","id":":coupon","coupon":{}},`,
  `{"at":"","journey":"","version":1,"user":"","run":"","type":"journey.exited","id":":exited","reason":"completed"},`,
  `{"at":"","journey":"","version":1,"user":"","run":"","type":"message.deferred","id":":message","channel":"push",`,
  `"template":"","until":"","reason":"quiet-hours","rule":"quiet-hours"},{"type":"message.sent","category":"service"}],`,
  `[{"id":":message","at":"","journeyId":"","channel":"push","category":"marketing","held":true}],[{"journeyId":"","key":"cpn."}]`,
  `{"journeyId":"","key":"","entries":1,"recentEventIds":[""],"lastEnteredAt":"","lastTriggerAt":"","journeyVersion":1,`,
  `"run":{"runId":"","journeyId":"","version":1,"key":"","userId":"","holdout":false,"status":"active","enteredAt":"","seq":1,`,
  `"stepId":"","wake":{"at":"","seq":1,"kind":"wait"}},"pending":{"effects":[{"at":"","journey":"","version":1,"user":"",`,
  `"run":"","type":"message.sent","id":":message","channel":"push","template":"","category":"marketing","locale":"zh-CN",`,
  `"title":"","text":""}],"events":[{"id":"","source":"nudge","detail-type":"","time":"","detail":{"userId":""}}],"proof":"`,
];

/** Dictionaries by number, as written in the attribute name (`z1doc`); never edit one, add the next. */
export const JSON_DICTIONARIES: Readonly<Record<number, Buffer>> = { 1: Buffer.from(fragments.join(""), "utf8") };

/** The dictionary new items are written against. */
export const CURRENT_DICTIONARY = 1;
