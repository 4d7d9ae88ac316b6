// The answer card of a policy reply: what the measure is, who gets it, how much, who pays which share,
// which units lead it, and the citation with the verbatim clause behind "查看原文".
// Everything is rendered as React text nodes: nothing from a reply is ever parsed as HTML.
import { useEffect, useId, useRef, useState } from 'react';

import { revealed } from './reveal.js';

// Shares of the cost split are told apart by shade, and each also says its level in words.
const SHARE_SHADES = ['var(--brand-1)', 'var(--share-2)', 'var(--share-3)', 'var(--share-4)'];

export function PolicyCard({ card }) {
  const [open, setOpen] = useState(false);
  const original = useRef(null);
  const clauseId = useId();
  const titleId = useId();
  useEffect(() => {
    if (open) revealed(original.current);
  }, [open]);
  return (
    <section className="PolicyCard" aria-labelledby={titleId}>
      <header className="PolicyCard-head">
        <span className="PolicyCard-tag">政策要点</span>
        {card.clause && <span className="PolicyCard-clause">条款 {card.clause}</span>}
        <h3 className="PolicyCard-title" id={titleId}>
          {card.title || '政策答复'}
        </h3>
      </header>
      <dl className="PolicyCard-facts">
        {card.who && <Fact label="支持对象">{card.who}</Fact>}
        {card.amount && (
          <Fact label="支持标准">
            <strong className="PolicyCard-amount">{card.amount}</strong>
          </Fact>
        )}
        {card.shares.length > 0 && (
          <Fact label="资金分担">
            <Shares shares={card.shares} />
          </Fact>
        )}
        {card.leadUnits.length > 0 && <Fact label="牵头单位">{card.leadUnits.join('、')}</Fact>}
      </dl>
      <footer className="PolicyCard-foot">
        {card.citation && <p className="PolicyCard-citation">{card.citation}</p>}
        {card.clauseText && (
          <>
            <button
              type="button"
              className="PolicyCard-toggle"
              aria-expanded={open}
              aria-controls={clauseId}
              onClick={() => setOpen(!open)}
            >
              {open ? '收起原文' : '查看原文'}
              <span className="PolicyCard-chevron" aria-hidden="true" data-open={open} />
            </button>
            <blockquote className="PolicyCard-original" id={clauseId} hidden={!open} ref={original}>
              {card.clauseTitle && (
                <p className="PolicyCard-originalTitle">
                  {card.clause} {card.clauseTitle}
                </p>
              )}
              <p>
                <Highlighted text={card.clauseText} part={card.quote} />
              </p>
            </blockquote>
          </>
        )}
      </footer>
    </section>
  );
}

function Fact({ label, children }) {
  return (
    <div className="PolicyCard-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Shares({ shares }) {
  const withPercent = shares.filter((share) => share.percent !== null && share.percent > 0);
  return (
    <div className="Shares">
      {withPercent.length > 0 && (
        <div className="Shares-bar" aria-hidden="true">
          {withPercent.map((share, index) => (
            <span
              key={share.level + index}
              style={{ flexGrow: share.percent, background: SHARE_SHADES[index % SHARE_SHADES.length] }}
            />
          ))}
        </div>
      )}
      <ul className="Shares-list">
        {shares.map((share, index) => (
          <li key={share.level + index}>
            <span
              className="Shares-dot"
              aria-hidden="true"
              style={{ background: SHARE_SHADES[index % SHARE_SHADES.length] }}
            />
            <span className="Shares-level">{share.level}</span>
            {share.percent !== null && <span className="Shares-percent">{share.percent}%</span>}
            {share.amount && <span className="Shares-amount">{share.amount}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

// The sentence the answer rests on is marked inside the clause, so the reader finds it at once.
function Highlighted({ text, part }) {
  const at = part ? text.indexOf(part) : -1;
  if (at < 0) return text;
  return (
    <>
      {text.slice(0, at)}
      <mark>{part}</mark>
      {text.slice(at + part.length)}
    </>
  );
}
