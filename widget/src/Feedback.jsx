// 👍/👎 under each answer of the bot, with an optional reason after 👎. The gateway keeps one verdict per
// answer: voting again, or adding the reason, replaces the earlier one.
import { useEffect, useId, useRef, useState } from 'react';

import { revealed } from './reveal.js';

export const REASON_MAX_CHARS = 500;

export function Feedback({ questionId, given, onVote }) {
  const [status, setStatus] = useState('idle'); // idle | sending | saved | failed
  const [askReason, setAskReason] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const form = useRef(null);
  useEffect(() => {
    if (askReason) revealed(form.current);
  }, [askReason]);

  async function vote(value, withReason) {
    setStatus('sending');
    try {
      await onVote(questionId, value, withReason);
      setStatus('saved');
      return true;
    } catch (error) {
      setStatus('failed');
      return false;
    }
  }

  async function thumbsUp() {
    setAskReason(false);
    await vote('up');
  }

  async function thumbsDown() {
    // The vote counts at once; the reason is a favour the user may or may not do.
    if (await vote('down')) setAskReason(true);
  }

  async function submitReason(event) {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setAskReason(false);
      return;
    }
    if (await vote('down', text)) {
      setAskReason(false);
      setReason('');
    }
  }

  return (
    <div className="Feedback">
      <div className="Feedback-row" role="group" aria-label="评价这条回答">
        <span className="Feedback-ask">回答有帮助吗？</span>
        <button
          type="button"
          className="Feedback-btn"
          aria-label="有帮助"
          title="有帮助"
          aria-pressed={given === 'up'}
          disabled={status === 'sending'}
          onClick={thumbsUp}
        >
          <Thumb />
        </button>
        <button
          type="button"
          className="Feedback-btn"
          aria-label="没有帮助"
          title="没有帮助"
          aria-pressed={given === 'down'}
          disabled={status === 'sending'}
          onClick={thumbsDown}
        >
          <Thumb down />
        </button>
        <span className="Feedback-status" role="status">
          {status === 'saved' && !askReason && '感谢您的评价'}
          {status === 'failed' && '评价未能提交，请稍后再试'}
        </span>
      </div>
      {askReason && (
        <form className="Feedback-reason" onSubmit={submitReason} ref={form}>
          <label htmlFor={reasonId}>哪里不满意？（选填，帮助我们改进）</label>
          <textarea
            id={reasonId}
            rows={2}
            maxLength={REASON_MAX_CHARS}
            value={reason}
            placeholder="例如：没有回答我问的金额"
            onChange={(event) => setReason(event.target.value)}
          />
          <div className="Feedback-actions">
            <button type="button" className="Feedback-skip" onClick={() => setAskReason(false)}>
              不填了
            </button>
            <button type="submit" className="Feedback-submit" disabled={status === 'sending'}>
              提交
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

// Drawn, not an emoji: the same on every system, also where no colour-emoji font is installed.
function Thumb({ down = false }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="Feedback-icon" data-down={down}>
      <path
        d="M7.5 10.5v9.5H4a1 1 0 0 1-1-1v-7.5a1 1 0 0 1 1-1zm0 0 3.6-6.2a1.6 1.6 0 0 1 2.9 1.2l-.8 3.9h5.3a2 2 0 0 1 2 2.4l-1.3 6.6a2 2 0 0 1-2 1.6H7.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.7"
        strokeLinejoin="round"
      />
    </svg>
  );
}
