// What the host page chose for this widget, from the query string embed.js builds from its
// data-title / data-color / data-welcome attributes. Every value is checked here: the colour ends up in
// CSS, so only a plain hex colour is accepted; title and welcome are shown as text, never as markup.

export const DEFAULT_TITLE = '威海科技政策助手';
export const DEFAULT_COLOR = '#1f5ba8'; // the bureau's blue
export const DEFAULT_WELCOME =
  '您好！我是威海市科学技术局的政策助手，可以解答《关于加快县域创新驱动发展的实施意见》（威政办发〔2018〕32号）' +
  '的问题：有哪些支持政策、谁能申请、补助多少、找哪个部门。请直接输入您的问题。';

// Starter questions before the bot has offered buttons of its own: examples of how to ask, not facts.
export const STARTER_QUESTIONS = ['研发补助最多多少', '农科驿站政府给钱吗', '我能享受哪些政策', '科技特派员有什么奖励'];

export const BOT_NAME = '政策助手';
export const MAX_TITLE_CHARS = 30;
export const MAX_WELCOME_CHARS = 300;

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

export function readConfig(search = window.location.search) {
  const params = new URLSearchParams(search);
  const text = (name, fallback, limit) => {
    const value = (params.get(name) || '').trim();
    return value ? value.slice(0, limit) : fallback;
  };
  const color = (params.get('color') || '').trim();
  return {
    title: text('title', DEFAULT_TITLE, MAX_TITLE_CHARS),
    color: HEX_COLOR.test(color) ? color : DEFAULT_COLOR,
    welcome: text('welcome', DEFAULT_WELCOME, MAX_WELCOME_CHARS),
    // Inside embed.js's panel: show a close button that asks the host page to hide the panel.
    embedded: params.get('embedded') === '1',
  };
}

// ChatUI derives its accents from --brand-1..4; the lighter shades are mixes of the colour with white.
export function applyTheme(color, root = document.documentElement) {
  const rgb = toRgb(color);
  const mix = (weight) => {
    const [r, g, b] = rgb.map((channel) => Math.round(channel * weight + 255 * (1 - weight)));
    return `rgb(${r}, ${g}, ${b})`;
  };
  root.style.setProperty('--brand-1', color);
  root.style.setProperty('--brand-2', color);
  root.style.setProperty('--brand-3', mix(0.18));
  root.style.setProperty('--brand-4', mix(0.08));
  root.style.setProperty('--brand-dark', darken(rgb, 0.82));
}

function toRgb(color) {
  let hex = color.slice(1);
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function darken(rgb, factor) {
  const [r, g, b] = rgb.map((channel) => Math.round(channel * factor));
  return `rgb(${r}, ${g}, ${b})`;
}
