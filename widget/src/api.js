// Calls to the gateway. Every failure becomes a ChatError with a Chinese sentence to show and whether
// trying again can help (network trouble and 5xx: yes; a rejected message such as one too long: no).

const CHAT_URL = '/api/chat';
const FEEDBACK_URL = '/api/feedback';
// The gateway gives up on Rasa after 10 s and answers 504 itself; this only catches a dead connection.
const TIMEOUT_MS = 25000;

export const NETWORK_ERROR = '网络连接失败，请检查网络后点“重试”。';
export const TIMEOUT_ERROR = '等待回复超时，请稍后点“重试”。';
export const SERVER_ERROR = '服务暂时不可用，请稍后点“重试”。';
export const REQUEST_ERROR = '消息未能发送，请修改后再试。';

export class ChatError extends Error {
  constructor(message, { retryable, status = 0 } = {}) {
    super(message);
    this.retryable = retryable;
    this.status = status;
  }
}

async function postJson(url, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ChatError(error && error.name === 'AbortError' ? TIMEOUT_ERROR : NETWORK_ERROR, {
      retryable: true,
    });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    // The gateway always sends {"error": "<中文>"}; a proxy in between may send an English page instead.
    const said = data && typeof data.error === 'string' && data.error ? data.error : null;
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new ChatError(said || (retryable ? SERVER_ERROR : REQUEST_ERROR), {
      retryable,
      status: response.status,
    });
  }
  if (!data || typeof data !== 'object') {
    throw new ChatError(SERVER_ERROR, { retryable: true, status: response.status });
  }
  return data;
}

export async function sendChat(sender, message) {
  const data = await postJson(CHAT_URL, { sender, message, channel: 'web' });
  return {
    replies: Array.isArray(data.replies) ? data.replies : [],
    messageId: typeof data.message_id === 'string' ? data.message_id : null,
    // What the user quotes to have this conversation's records erased (shown on 重新开始).
    conversationId: typeof data.conversation_id === 'string' ? data.conversation_id : null,
  };
}

export function sendFeedback(messageId, vote, reason) {
  const body = { message_id: messageId, vote };
  if (reason) body.reason = reason;
  return postJson(FEEDBACK_URL, body);
}
