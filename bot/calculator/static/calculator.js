// The calculator page's few behaviours: 长辈模式, 朗读 (the browser's speech synthesis, zh-CN), print, copy
// the shareable link, and "问政策助手", which opens the chat widget with the profile already said.
(function () {
  'use strict';
  var ELDER_KEY = 'weihai-policy-elder';

  function remember(on) {
    try {
      window.localStorage.setItem(ELDER_KEY, on ? '1' : '0');
    } catch (e) {
      /* storage blocked: the mode holds for this page only */
    }
  }

  var toggle = document.getElementById('elder-toggle');
  function showElder(on) {
    document.documentElement.classList.toggle('elder', on);
    toggle.setAttribute('aria-checked', on ? 'true' : 'false');
  }
  showElder(document.documentElement.classList.contains('elder'));
  toggle.addEventListener('click', function () {
    var on = toggle.getAttribute('aria-checked') !== 'true';
    showElder(on);
    remember(on);
  });

  // 朗读: only where the browser has a Chinese voice; otherwise the buttons stay hidden.
  var synth = window.speechSynthesis;
  function chineseVoice() {
    if (!synth) return null;
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) if (/^zh[-_]CN/i.test(voices[i].lang)) return voices[i];
    for (var j = 0; j < voices.length; j++) if (/^zh/i.test(voices[j].lang)) return voices[j];
    return null;
  }
  var speakButtons = document.querySelectorAll('button.speak');
  function offerSpeech() {
    var voice = chineseVoice();
    for (var i = 0; i < speakButtons.length; i++) speakButtons[i].hidden = !voice;
  }
  offerSpeech();
  if (synth && 'onvoiceschanged' in synth) synth.addEventListener('voiceschanged', offerSpeech);
  var speaking = null;
  function speak(button) {
    var voice = chineseVoice();
    if (!voice) return;
    synth.cancel();
    if (speaking === button) {
      stopped(button);
      return;
    }
    var target = document.querySelector(button.getAttribute('data-speak'));
    var utterance = new SpeechSynthesisUtterance(readable(target));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = document.documentElement.classList.contains('elder') ? 0.85 : 1;
    utterance.onend = function () {
      stopped(button);
    };
    speaking = button;
    button.setAttribute('aria-pressed', 'true'); // one name, its state here (a changing label reads as another button)
    synth.speak(utterance);
  }
  function stopped(button) {
    speaking = null;
    button.setAttribute('aria-pressed', 'false');
  }
  function readable(node) {
    // The card as read: its text without the buttons and the folded original text.
    var copy = node.cloneNode(true);
    var skip = copy.querySelectorAll('button, details');
    for (var i = 0; i < skip.length; i++) skip[i].remove();
    return copy.textContent.replace(/\s+/g, ' ').trim();
  }
  for (var k = 0; k < speakButtons.length; k++) {
    speakButtons[k].setAttribute('aria-pressed', 'false');
    speakButtons[k].addEventListener('click', function (event) {
      speak(event.currentTarget);
    });
  }

  var printButton = document.getElementById('print');
  if (printButton) printButton.addEventListener('click', function () { window.print(); });

  var copyButton = document.getElementById('copy-link');
  var copyStatus = document.getElementById('copy-status');
  if (copyButton) {
    copyButton.addEventListener('click', function () {
      var done = function () { copyStatus.textContent = '链接已复制'; };
      var failed = function () { copyStatus.textContent = '无法复制，请复制地址栏中的网址'; };
      if (navigator.clipboard) navigator.clipboard.writeText(window.location.href).then(done, failed);
      else failed();
    });
  }

  var askButton = document.getElementById('ask-bot');
  if (askButton) {
    askButton.addEventListener('click', function () {
      var widget = window.WeihaiPolicyWidget;
      if (widget) widget.ask(askButton.getAttribute('data-message'));
    });
  }

  // After a search the results get the focus, so keyboard and screen reader users land on them.
  var results = document.getElementById('results');
  if (results && window.location.search && document.querySelector('#results h2')) results.focus();
})();
