// The 朗读 button under an answer: reads the whole turn aloud (text and card); pressed again, it stops.
// One name, its state in aria-pressed: a toggle whose label changed would be announced as another button.
import { useEffect, useState } from 'react';

import { speak, stopSpeaking } from './elder.js';

export function SpeakButton({ text, voice, slow }) {
  const [speaking, setSpeaking] = useState(false);
  useEffect(() => () => speaking && stopSpeaking(), [speaking]);
  function toggle() {
    if (speaking) {
      stopSpeaking();
      setSpeaking(false);
      return;
    }
    setSpeaking(true);
    speak(text, voice, slow, () => setSpeaking(false));
  }
  return (
    <button type="button" className="Speak-btn" aria-pressed={speaking} onClick={toggle}>
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="Speak-icon">
        <path d="M4 9v6h4l5 4V5L8 9H4z" fill="currentColor" />
        <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
      <span>朗读</span>
    </button>
  );
}
