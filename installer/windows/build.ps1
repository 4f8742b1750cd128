# Build Régie for Windows: the PyInstaller folder, then the Inno Setup installer.
# Saved as UTF-8 with a byte-order mark: PowerShell 5 then reads the accents right.
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
# Needs Python 3.11 (python.org, "Add to PATH") and Inno Setup 6 (iscc.exe). Result:
#   dist\regie\regie.exe                   the folder (runs as is)
#   dist\installer\Regie-<version>-setup.exe  the installer to hand out
# Not run by the project's CI (Linux only): follow docs/installer.md and check by hand.
$ErrorActionPreference = "Stop"
$Repo = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Repo

$Venv = Join-Path $Repo ".venv-windows"
if (-not (Test-Path (Join-Path $Venv "Scripts\python.exe"))) {
    Write-Host "==> Environnement Python dans $Venv"
    py -3.11 -m venv $Venv
}
$Python = Join-Path $Venv "Scripts\python.exe"

Write-Host "==> Installation de Régie et de PyInstaller"
& $Python -m pip install --quiet --upgrade pip
& $Python -m pip install --quiet ".[test]"
if ($LASTEXITCODE -ne 0) { throw "pip install a échoué" }

Write-Host "==> Bundle PyInstaller (dist\regie)"
& $Python -m PyInstaller --noconfirm installer\regie.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller a échoué" }
& dist\regie\regie.exe --version
if ($LASTEXITCODE -ne 0) { throw "dist\regie\regie.exe ne démarre pas" }

$Version = (& $Python -c "from regie.version import __version__; print(__version__)").Trim()
$Iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $Iscc)) { throw "Inno Setup 6 (ISCC.exe) introuvable : installez-le depuis jrsoftware.org" }

Write-Host "==> Installateur Inno Setup"
& $Iscc "/DAppVersion=$Version" "/DRepo=$Repo" installer\windows\regie.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC a échoué" }
Write-Host "==> Terminé : dist\installer\Regie-$Version-setup.exe"
