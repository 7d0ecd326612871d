export * from './definition';
export * from './define-subgraph';
export * from './hosted-subgraph';
export * from './process';
