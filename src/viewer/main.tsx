/** Entry: styles, global keys, the app. */
import { render } from 'preact';
import { App } from './app.js';
import { installGlobalKeys } from './keys.js';
import './styles.css';

installGlobalKeys();
render(<App />, document.getElementById('app')!);
