export { DEMO_CSS, type DemoCustomerLink, type DemoPageProps, renderDemoPage } from './demo-page.ts';
