// 长辈模式 and 朗读. The mode is one switch, remembered in localStorage under the key the calculator page uses
// too (same origin), so a user who turned it on there finds it on here. 朗读 uses the browser's own speech
// synthesis with a Chinese voice; where the browser has none, no button is offered.
import { useCallback, useEffect, useState } from 'react';

export const ELDER_KEY = 'weihai-policy-elder';

function stored() {
  try {
    return window.localStorage.getItem(ELDER_KEY) === '1';
  } catch {
    return false; // storage blocked: the standard mode
  }
}

export function useElderMode() {
  const [elder, setElder] = useState(stored);
  useEffect(() => {
    document.documentElement.classList.toggle('elder', elder);
  }, [elder]);
  const toggle = useCallback(() => {
    setElder((on) => {
      try {
        window.localStorage.setItem(ELDER_KEY, on ? '0' : '1');
      } catch {
        /* the mode holds for this page only */
      }
      return !on;
    });
  }, []);
  return [elder, toggle];
}

function chineseVoice() {
  const synth = window.speechSynthesis;
  if (!synth || typeof synth.getVoices !== 'function') return null;
  const voices = synth.getVoices() || [];
  return voices.find((v) => /^zh[-_]CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang)) || null;
}

// The voice list arrives late in some browsers: listen until it does.
export function useChineseVoice() {
  const [voice, setVoice] = useState(chineseVoice);
  useEffect(() => {
    const synth = window.speechSynthesis;
    if (!synth || typeof synth.addEventListener !== 'function') return undefined;
    const update = () => setVoice(chineseVoice());
    synth.addEventListener('voiceschanged', update);
    return () => synth.removeEventListener && synth.removeEventListener('voiceschanged', update);
  }, []);
  return voice;
}

export function speak(text, voice, slow, onEnd) {
  const synth = window.speechSynthesis;
  synth.cancel();
  const utterance = new window.SpeechSynthesisUtterance(text);
  utterance.voice = voice;
  utterance.lang = voice.lang || 'zh-CN';
  utterance.rate = slow ? 0.85 : 1;
  utterance.onend = onEnd;
  utterance.onerror = onEnd;
  synth.speak(utterance);
}

export function stopSpeaking() {
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}
