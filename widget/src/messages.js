// Turning the gateway's replies into ChatUI messages, and the small rules of the message list.

let counter = 0;
export function messageId(prefix) {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

// WeChat shows the time above a message only when some minutes passed since the one before.
const TIME_GAP_MS = 5 * 60 * 1000;

export function withTime(messages, message) {
  const last = messages[messages.length - 1];
  const hasTime = !last || !last.createdAt || message.createdAt - last.createdAt >= TIME_GAP_MS;
  return { ...message, hasTime };
}

export function userMessage(text) {
  return { _id: messageId('u'), type: 'text', position: 'right', content: { text }, createdAt: Date.now() };
}

export function botText(text, extra = {}) {
  return {
    _id: messageId('b'),
    type: 'text',
    position: 'left',
    content: { text },
    createdAt: Date.now(),
    ...extra,
  };
}

// Shown after 重新开始: the old conversation is still on the server, and how to have it erased.
export function erasureNote(conversationId) {
  return botText(
    `已开始新的对话。上一段对话的记录会在保存期满后自动删除；如需现在删除，请联系政策咨询热线并提供对话编号：${conversationId}`,
    { _id: 'erasure-note' },
  );
}

export function errorMessage(text, retry) {
  return {
    _id: messageId('e'),
    type: 'error',
    position: 'left',
    content: { text, retry: retry || null },
    createdAt: Date.now(),
  };
}

// One turn of the bot: its messages (text bubbles and answer cards) and the buttons it offered. The last
// message carries the logged question's id, so the 👍/👎 under it is stored against that question.
export function botTurn(replies, questionId) {
  const messages = [];
  const buttons = [];
  for (const reply of replies) {
    if (!reply || typeof reply !== 'object') continue;
    if (typeof reply.text === 'string' && reply.text.trim()) {
      messages.push(botText(reply.text));
    }
    if (Array.isArray(reply.buttons)) {
      for (const button of reply.buttons) {
        if (button && typeof button.title === 'string' && typeof button.payload === 'string') {
          buttons.push({ name: button.title, payload: button.payload });
        }
      }
    }
    const list = calculatorList(reply.custom);
    if (list) messages.push({ _id: messageId('l'), type: 'calculator', position: 'left', content: { list }, createdAt: Date.now() });
    const card = policyCard(reply.custom);
    if (card) {
      messages.push({
        _id: messageId('c'),
        type: 'card',
        position: 'left',
        content: { card },
        createdAt: Date.now(),
      });
    }
  }
  if (messages.length === 0) {
    messages.push(botText('抱歉，这个问题我暂时答不上来。您可以换个说法再问，或拨打 12345 咨询。'));
  }
  // The turn's last message carries what 朗读 reads: the whole answer, text and card.
  const last = { ...messages[messages.length - 1], speech: messages.map(spoken).filter(Boolean).join('。') };
  if (questionId) last.feedback = questionId;
  messages[messages.length - 1] = last;
  return { messages, buttons };
}

const text = (value) => (typeof value === 'string' ? value : '');

// Only the fields the card shows, each checked: a reply is data to display, never markup or code.
export function policyCard(custom) {
  if (!custom || typeof custom !== 'object' || custom.type !== 'policy_card') return null;
  const shares = Array.isArray(custom.shares)
    ? custom.shares
        .filter((share) => share && typeof share === 'object')
        .map((share) => ({
          level: text(share.level),
          percent: typeof share.percent === 'number' && Number.isFinite(share.percent) ? share.percent : null,
          amount: text(share.amount),
        }))
    : [];
  return {
    measure: text(custom.measure),
    title: text(custom.title),
    support: text(custom.support),
    who: text(custom.who),
    amount: text(custom.amount),
    shares,
    leadUnits: Array.isArray(custom.lead_units) ? custom.lead_units.filter((u) => typeof u === 'string') : [],
    citation: text(custom.citation),
    clause: text(custom.clause),
    clauseTitle: text(custom.clause_title),
    clauseText: text(custom.clause_text),
    quote: text(custom.quote),
  };
}

// The bot's whole list for a profile (我们是…有什么政策): a link to the calculator page with that profile.
const ID = /^[a-z_]{1,40}$/;
export function calculatorList(custom) {
  if (!custom || typeof custom !== 'object' || custom.type !== 'calculator_list') return null;
  if (!ID.test(custom.applicant || '') || (custom.district != null && !ID.test(custom.district))) return null;
  const count = Array.isArray(custom.measures) ? custom.measures.length : 0;
  const query = new URLSearchParams({ applicant: custom.applicant });
  if (custom.district) query.set('district', custom.district);
  return { count, href: `/calculator?${query.toString()}` };
}

// What a screen reader announces for a new bot message.
export function spoken(message) {
  if (message.type === 'calculator') return '';
  if (message.type === 'card') {
    const card = message.content.card;
    return ['答案卡片', card.title, card.amount && `支持标准：${card.amount}`, card.citation]
      .filter(Boolean)
      .join('，');
  }
  return message.content.text || '';
}
