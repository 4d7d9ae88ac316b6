// 长辈模式 before the first paint (no flash of small text): the choice is remembered in localStorage, shared
// with the chat widget on this origin. In <head>, so it sets a class on <html> only.
(function () {
  'use strict';
  try {
    if (window.localStorage.getItem('weihai-policy-elder') === '1') document.documentElement.classList.add('elder');
  } catch (e) {
    /* storage blocked: the page stays in the standard mode */
  }
})();
