export const answer = 42;
export default function greet(name) { return `hi ${name}`; }
