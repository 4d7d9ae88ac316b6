/*
 * 威海科技政策助手 — embed on any page with one tag:
 *
 *   <script src="https://<gateway>/widget/embed.js" data-title="威海科技政策助手"
 *           data-color="#1f5ba8" data-welcome="您好！请问想了解哪项政策？" defer></script>
 *
 * It adds a "政策咨询" button to the lower right corner that opens the chat in a panel (full screen on
 * phones). The chat itself runs in an iframe from the gateway, so the host page's styles and scripts and
 * the widget's never touch each other, and the conversation is kept per browser, whatever page embeds it.
 * window.WeihaiPolicyWidget.ask(text) opens the panel and asks `text` for the visitor (the calculator page).
 * Plain ES5 on purpose: it runs on whatever browser the host page supports, without a build step.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__weihaiPolicyWidget) return;
  window.__weihaiPolicyWidget = true;

  var PREFIX = 'weihai-policy-widget';
  var HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  var base = new URL('./', script.src);
  var color = HEX_COLOR.test(script.getAttribute('data-color') || '') ? script.getAttribute('data-color') : '#1f5ba8';
  var title = (script.getAttribute('data-title') || '').trim().slice(0, 30) || '威海科技政策助手';
  var welcome = (script.getAttribute('data-welcome') || '').trim().slice(0, 300);
  var label = (script.getAttribute('data-button') || '').trim().slice(0, 8) || '政策咨询';

  var params = new URLSearchParams({ title: title, color: color, embedded: '1' });
  if (welcome) params.set('welcome', welcome);
  var src = new URL('./?' + params.toString(), base).toString();

  var css =
    '.wpw-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;' +
    'gap:8px;height:48px;padding:0 18px 0 14px;border:0;border-radius:24px;background:' + color + ';color:#fff;' +
    'font:500 15px/1 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;cursor:pointer;' +
    'box-shadow:0 6px 18px rgba(15,35,70,.28);}' +
    '.wpw-launcher:hover{filter:brightness(1.08);}' +
    '.wpw-launcher:focus-visible{outline:3px solid #ffbf47;outline-offset:2px;}' +
    '.wpw-launcher svg{width:22px;height:22px;flex:none;}' +
    '.wpw-panel{position:fixed;right:20px;bottom:84px;z-index:2147483001;width:400px;height:min(680px,calc(100vh - 110px));' +
    'border-radius:12px;overflow:hidden;background:#eef1f5;box-shadow:0 12px 40px rgba(15,35,70,.3);}' +
    '.wpw-panel[hidden]{display:none;}' +
    '.wpw-panel iframe{display:block;width:100%;height:100%;border:0;}' +
    '@media (max-width:480px){' +
    '.wpw-panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0;}' +
    '.wpw-open .wpw-launcher{display:none;}' +
    'html.wpw-open,html.wpw-open body{overflow:hidden;}}';

  var icon =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 3C6.5 3 2 6.8 2 ' +
    '11.5c0 2.5 1.3 4.8 3.4 6.3L4.6 21l3.9-2.1c1.1.3 2.3.5 3.5.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3zm-4.5 9.8a1.3 1.3 0 1 ' +
    '1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4.5 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm4.5 0a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 ' +
    '0 2.6z"/></svg>';

  function mount() {
    var style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);

    var launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'wpw-launcher';
    launcher.id = PREFIX + '-launcher';
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-controls', PREFIX + '-panel');
    // The name starts with the words shown (WCAG 2.5.3): speech users say what they see.
    launcher.setAttribute('aria-label', label + '：打开' + title);
    launcher.innerHTML = icon; // a constant above, never page or user data
    var text = document.createElement('span');
    text.textContent = label;
    launcher.appendChild(text);

    var panel = document.createElement('div');
    panel.className = 'wpw-panel';
    panel.id = PREFIX + '-panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', title);
    panel.hidden = true;

    var frame = null;

    function open() {
      if (!frame) {
        // Loaded on first open: pages that embed the widget pay nothing until someone wants to chat.
        frame = document.createElement('iframe');
        frame.title = title;
        frame.src = src;
        frame.setAttribute('allow', 'clipboard-write');
        panel.appendChild(frame);
      }
      panel.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      launcher.setAttribute('aria-label', '收起：关闭' + title);
      text.textContent = '收起';
      document.documentElement.classList.add('wpw-open');
      frame.focus();
      tell('open');
    }

    function close() {
      panel.hidden = true;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.setAttribute('aria-label', label + '：打开' + title);
      text.textContent = label;
      document.documentElement.classList.remove('wpw-open');
      launcher.focus();
    }

    function tell(what, text) {
      if (frame && frame.contentWindow) {
        frame.contentWindow.postMessage({ type: PREFIX + ':' + what, text: text || '' }, base.origin);
      }
    }

    // A question the host page asks for its visitor (the calculator's 问政策助手): sent once the chat listens.
    var pending = null;
    var ready = false;
    function ask(question) {
      var text = String(question || '').trim().slice(0, 300);
      if (!text) return;
      open();
      if (ready) tell('ask', text);
      else pending = text;
    }
    window.WeihaiPolicyWidget = { open: open, ask: ask };

    launcher.addEventListener('click', function () {
      if (panel.hidden) open();
      else close();
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !panel.hidden) close();
    });
    window.addEventListener('message', function (event) {
      if (!frame || event.source !== frame.contentWindow || event.origin !== base.origin) return;
      var type = event.data && event.data.type;
      if (type === PREFIX + ':close') close();
      // The chat has started and listens: if the panel is open, it puts the focus in its input.
      else if (type === PREFIX + ':ready') {
        ready = true;
        if (!panel.hidden) tell('open');
        if (pending) tell('ask', pending);
        pending = null;
      }
    });

    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    if (script.getAttribute('data-open') === 'true') open();
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
