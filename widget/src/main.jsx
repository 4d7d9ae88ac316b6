import { createRoot } from 'react-dom/client';
import '@chatui/core/dist/index.css';
import './styles.css';

import { App } from './App.jsx';
import { applyTheme, readConfig } from './config.js';

const config = readConfig();
applyTheme(config.color);
document.title = config.title;
document.documentElement.dataset.embedded = String(config.embedded);

createRoot(document.getElementById('root')).render(<App config={config} />);
