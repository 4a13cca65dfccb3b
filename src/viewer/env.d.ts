/** Stylesheets are imported for their side effect; vite bundles them into CSS assets. */
declare module '*.css';
