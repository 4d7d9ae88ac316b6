// The chat: ChatUI's Chat with the bureau's header, answer cards, feedback and error recovery.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
// Deep imports: ChatUI's index pulls in every component (red packets, goods cards, …) and polyfills.
import { Bubble } from '@chatui/core/es/components/Bubble';
import { Chat } from '@chatui/core/es/components/Chat';
import { Typing } from '@chatui/core/es/components/Typing';

import { botAvatar, USER_AVATAR } from './avatars.js';
import { sendChat, sendFeedback } from './api.js';
import { BOT_NAME, STARTER_QUESTIONS } from './config.js';
import { Feedback } from './Feedback.jsx';
import { useChineseVoice, useElderMode } from './elder.js';
import { clearHistory, loadHistory, newSenderId, saveHistory } from './history.js';
import { botText, botTurn, erasureNote, errorMessage, spoken, userMessage, withTime } from './messages.js';
import { PolicyCard } from './PolicyCard.jsx';
import { SpeakButton } from './Speak.jsx';

export const MAX_MESSAGE_CHARS = 2000; // the gateway's default MAX_MESSAGE_CHARS
export const TOO_LONG_NOTICE = `粘贴的内容超过了${MAX_MESSAGE_CHARS}字，输入框只保留了前${MAX_MESSAGE_CHARS}字。请删去不需要的部分，或只粘贴您的问题后再发送。`;
const HOST_MESSAGE = 'weihai-policy-widget';

const starters = () => STARTER_QUESTIONS.map((question) => ({ name: question, payload: question }));

function freshConversation(welcome, previousConversationId = null) {
  const messages = [withTime([], botText(welcome, { _id: 'welcome' }))];
  if (previousConversationId) messages.push(withTime(messages, erasureNote(previousConversationId)));
  return {
    sender: newSenderId(),
    messages,
    quickReplies: starters(),
    votes: {},
    conversationId: null,
  };
}

function appendAll(list, added) {
  const result = [...list];
  for (const message of added) result.push(withTime(result, message));
  return result;
}

export function App({ config }) {
  const [conversation, setConversation] = useState(() => loadHistory() || freshConversation(config.welcome));
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [elder, toggleElder] = useElderMode();
  const voice = useChineseVoice();
  const { sender, messages, quickReplies, votes } = conversation;

  const senderRef = useRef(sender);
  senderRef.current = sender;
  const busyRef = useRef(false);
  const composingRef = useRef(false);
  const enterWhileComposingRef = useRef(false);
  const rootRef = useRef(null);

  const bot = useMemo(
    () => ({ name: BOT_NAME, avatar: botAvatar(config.color), avatarAlt: `${BOT_NAME}头像` }),
    [config.color],
  );
  const me = useMemo(() => ({ avatar: USER_AVATAR, avatarAlt: '我的头像' }), []);

  useEffect(() => {
    saveHistory(conversation);
  }, [conversation]);

  const update = useCallback((change) => setConversation((current) => ({ ...current, ...change(current) })), []);

  const announce = useCallback((text) => {
    // Cleared first so that the same sentence twice in a row is read out twice.
    setAnnouncement('');
    window.setTimeout(() => setAnnouncement(text), 50);
  }, []);

  const ask = useCallback(
    async (title, payload) => {
      const askedBy = senderRef.current;
      busyRef.current = true;
      setBusy(true);
      try {
        const { replies, messageId, conversationId } = await sendChat(askedBy, payload);
        if (senderRef.current !== askedBy) return; // "重新开始" was pressed while waiting
        const turn = botTurn(replies, messageId);
        update((current) => ({
          messages: appendAll(current.messages, turn.messages),
          quickReplies: turn.buttons,
          conversationId: conversationId || current.conversationId || null,
        }));
        announce(`${BOT_NAME}：${turn.messages.map(spoken).filter(Boolean).join('。')}`);
      } catch (error) {
        if (senderRef.current !== askedBy) return;
        const retry = error.retryable ? { title, payload } : null;
        update((current) => ({ messages: appendAll(current.messages, [errorMessage(error.message, retry)]) }));
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
    [announce, update],
  );

  const send = useCallback(
    (title, payload) => {
      if (busyRef.current) return;
      update((current) => ({
        messages: appendAll(
          current.messages.filter((message) => message.type !== 'error'),
          [userMessage(title)],
        ),
        quickReplies: [],
      }));
      ask(title, payload);
    },
    [ask, update],
  );

  const sendRef = useRef(send);
  sendRef.current = send;

  const retry = useCallback(
    (failed) => {
      if (busyRef.current || !failed.content.retry) return;
      update((current) => ({ messages: current.messages.filter((message) => message._id !== failed._id) }));
      ask(failed.content.retry.title, failed.content.retry.payload);
    },
    [ask, update],
  );

  const conversationIdRef = useRef(null);
  conversationIdRef.current = conversation.conversationId || null;

  const restart = useCallback(() => {
    clearHistory();
    const fresh = freshConversation(config.welcome, conversationIdRef.current);
    senderRef.current = fresh.sender;
    busyRef.current = false;
    setBusy(false);
    setConversation(fresh);
    announce('已开始新的对话');
  }, [announce, config.welcome]);

  const vote = useCallback(
    async (questionId, value, reason) => {
      await sendFeedback(questionId, value, reason);
      update((current) => ({ votes: { ...current.votes, [questionId]: value } }));
    },
    [update],
  );

  const close = useCallback(() => {
    window.parent.postMessage({ type: `${HOST_MESSAGE}:close` }, '*');
  }, []);

  // The host page (embed.js) says when the panel opens: the input gets the focus then.
  useEffect(() => {
    function onMessage(event) {
      if (event.source !== window.parent || !event.data) return;
      if (event.data.type === `${HOST_MESSAGE}:ask` && typeof event.data.text === 'string') {
        // The host page's question for its visitor (the calculator's profile): asked as if typed.
        const question = event.data.text.trim().slice(0, MAX_MESSAGE_CHARS);
        if (question) sendRef.current(question, question);
        return;
      }
      if (event.data.type !== `${HOST_MESSAGE}:open`) return;
      const input = rootRef.current && rootRef.current.querySelector('.Composer-input');
      if (input) input.focus();
    }
    function onKey(event) {
      if (event.key === 'Escape' && config.embedded) close();
    }
    window.addEventListener('message', onMessage);
    window.addEventListener('keydown', onKey);
    // Listening now: the host page answers with "open" if its panel is showing (focus goes to the input).
    if (config.embedded) window.parent.postMessage({ type: `${HOST_MESSAGE}:ready` }, '*');
    return () => {
      window.removeEventListener('message', onMessage);
      window.removeEventListener('keydown', onKey);
    };
  }, [close, config.embedded]);

  // ChatUI marks every message role="alert": a screen reader would shout each one, the user's own and the
  // whole history on reload. New bot messages are announced once, politely, by the live region below.
  useEffect(() => {
    const root = rootRef.current;
    if (!root) return;
    for (const node of root.querySelectorAll('.Message-content[role="alert"]')) {
      node.removeAttribute('role');
      node.removeAttribute('aria-live');
      node.removeAttribute('aria-atomic');
    }
    const list = root.querySelector('.MessageContainer');
    if (list && !list.hasAttribute('aria-label')) {
      list.setAttribute('role', 'region');
      list.setAttribute('aria-label', '对话记录');
    }
  });

  const shown = useMemo(
    () => messages.map((message) => ({ ...message, user: message.position === 'right' ? me : bot })),
    [messages, me, bot],
  );

  function renderMessageContent(message) {
    const { type, content } = message;
    if (type === 'typing') return <Typing text={`${BOT_NAME}正在回复`} />;
    if (type === 'error') {
      return (
        <div className="ErrorNotice">
          <p className="ErrorNotice-text" role="alert">
            {content.text}
          </p>
          {content.retry && (
            <button type="button" className="ErrorNotice-retry" disabled={busy} onClick={() => retry(message)}>
              重试
            </button>
          )}
        </div>
      );
    }
    let body;
    if (type === 'card') body = <PolicyCard card={content.card} />;
    else if (type === 'calculator') {
      body = (
        <a className="CalcLink" href={content.list.href} target="_blank" rel="noopener">
          在政策计算器中查看全部{content.list.count}项（新窗口，可打印）
        </a>
      );
    } else body = <Bubble content={content.text} />;
    const speech = message.position === 'left' && message.speech && voice;
    if (!message.feedback && !speech) return body;
    return (
      <>
        {body}
        {speech && <SpeakButton text={message.speech} voice={voice} slow={elder} />}
        {message.feedback && <Feedback questionId={message.feedback} given={votes[message.feedback]} onVote={vote} />}
      </>
    );
  }

  return (
    <div className={elder ? 'App App--elder' : 'App'} ref={rootRef}>
      <Chat
        locale="zh-CN"
        elderMode={elder}
        renderNavbar={() => (
          <Header
            config={config}
            avatar={bot.avatar}
            onRestart={restart}
            onClose={config.embedded ? close : null}
            elder={elder}
            onElder={toggleElder}
          />
        )}
        messages={shown}
        renderMessageContent={renderMessageContent}
        isTyping={busy}
        quickReplies={quickReplies}
        onQuickReplyClick={(item) => send(item.name, item.payload)}
        placeholder={elder ? '请输入您的问题' : '请输入您的问题，如：研发补助最多多少'} // one line at 20 px
        inputOptions={{
          'aria-label': '输入您的问题，按回车发送',
          maxLength: MAX_MESSAGE_CHARS,
          onCompositionStart: () => {
            composingRef.current = true;
          },
          onCompositionEnd: () => {
            composingRef.current = false;
          },
          // A paste the box cannot hold is cut by maxLength: say so, rather than send half a question.
          onPaste: (event) => {
            const pasted = event.clipboardData ? event.clipboardData.getData('text') : '';
            const box = event.target;
            const kept = box.value.length - Math.abs((box.selectionEnd || 0) - (box.selectionStart || 0));
            if (kept + pasted.length > MAX_MESSAGE_CHARS) {
              update((current) => ({ messages: appendAll(current.messages, [errorMessage(TOO_LONG_NOTICE, null)]) }));
              announce(TOO_LONG_NOTICE);
            }
          },
          // Enter that confirms a Chinese IME candidate must not send the half-typed question.
          onKeyDownCapture: (event) => {
            enterWhileComposingRef.current =
              event.key === 'Enter' &&
              (event.nativeEvent.isComposing || event.keyCode === 229 || composingRef.current);
          },
        }}
        onBeforeSend={() => {
          const blocked = enterWhileComposingRef.current || busyRef.current;
          enterWhileComposingRef.current = false;
          return !blocked;
        }}
        onSend={(type, text) => {
          const question = text.trim();
          if (type === 'text' && question) send(question, question);
        }}
      />
      <div className="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </div>
  );
}

function Header({ config, avatar, onRestart, onClose, elder, onElder }) {
  return (
    <header className="Header">
      <img className="Header-avatar" src={avatar} alt="" />
      <div className="Header-text">
        <h1 className="Header-title">{config.title}</h1>
        <p className="Header-desc">政策咨询 · 答复以原文为准</p>
      </div>
      <div className="Header-actions">
        <button type="button" className="Header-btn Header-elder" role="switch" aria-checked={elder} onClick={onElder}>
          <span className="Header-switch" aria-hidden="true" />
          <span>长辈模式</span>
        </button>
        <button type="button" className="Header-btn" onClick={onRestart} aria-label="重新开始：清空记录，开始新的对话">
          <svg viewBox="0 0 24 24" aria-hidden="true" className="Header-icon">
            <path
              d="M4.5 12a7.5 7.5 0 1 0 2.3-5.4M4.5 4.5v4h4"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span>重新开始</span>
        </button>
        {onClose && (
          <button type="button" className="Header-btn Header-close" onClick={onClose} aria-label="关闭对话窗口">
            <svg viewBox="0 0 24 24" aria-hidden="true" className="Header-icon">
              <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        )}
      </div>
    </header>
  );
}
