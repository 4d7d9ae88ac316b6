// The conversation kept in this browser (localStorage of the widget's own origin, so it is the same on
// every page that embeds the widget): the sender id the gateway knows us by, the messages, the quick
// replies on offer and the votes given. A new conversation ("重新开始") gets a new sender id.

const KEY = 'weihai-policy-widget:v1';
// Enough to scroll back through a long consultation, small enough for localStorage's few megabytes.
const MAX_MESSAGES = 200;

export function newSenderId() {
  // crypto.randomUUID needs a secure context; getRandomValues also works on a plain-http intranet host.
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function loadHistory() {
  try {
    const raw = window.localStorage.getItem(KEY);
    if (!raw) return null;
    const saved = JSON.parse(raw);
    if (!saved || typeof saved.sender !== 'string' || !Array.isArray(saved.messages)) return null;
    return {
      sender: saved.sender,
      messages: saved.messages.filter(isMessage),
      quickReplies: Array.isArray(saved.quickReplies) ? saved.quickReplies.filter(isQuickReply) : null,
      votes: saved.votes && typeof saved.votes === 'object' ? saved.votes : {},
      conversationId: typeof saved.conversationId === 'string' ? saved.conversationId : null,
    };
  } catch {
    // Storage disabled (private mode, policy) or corrupted: start afresh rather than fail.
    return null;
  }
}

export function saveHistory({ sender, messages, quickReplies, votes, conversationId }) {
  try {
    const kept = messages.filter((message) => message.type !== 'error').slice(-MAX_MESSAGES);
    window.localStorage.setItem(KEY, JSON.stringify({ sender, messages: kept, quickReplies, votes, conversationId }));
  } catch {
    // Quota exceeded or storage disabled: the conversation still works, it just is not kept.
  }
}

export function clearHistory() {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

function isMessage(message) {
  return (
    message &&
    typeof message._id === 'string' &&
    typeof message.type === 'string' &&
    message.content &&
    typeof message.content === 'object'
  );
}

function isQuickReply(item) {
  return item && typeof item.name === 'string' && typeof item.payload === 'string';
}
