// Routing: which locations ship which units of an order, at the lowest price the rules allow,
// with an explanation. The parts: routing/problem.ts (what goes in and out), geometry.ts
// (distances, transit days), candidates.ts (eligibility and prices), search.ts (greedy and branch
// and bound), explain.ts (the plan and why).
export type { Candidate, Delivery, Plan, RejectionCode, RouteLine, RoutingProblem, SearchOptions, ShipmentPlan } from "./routing/problem.js";
export { routingProblems } from "./routing/problem.js";
export { distanceKm, transitDaysFor } from "./routing/geometry.js";
export { Router, reroute, route } from "./routing/search.js";
