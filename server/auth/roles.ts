// The roles live in shared/roles.ts (plain TypeScript both sides import); server code keeps this path.
export * from "../../shared/roles";
