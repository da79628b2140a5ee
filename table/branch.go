package table

// MainBranch names a table's own branch: its root directory.
const MainBranch = "main"

// branchPath is the directory of branch name below the table root:
// branch/branch-<name> (Paimon's BranchManager.branchPath).
func branchPath(name string) string { return branchDir + "/" + branchPrefix + name }
